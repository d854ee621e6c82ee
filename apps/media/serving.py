"""Sending a stored file once a view has authorised it: long-lived caching (the names are
content hashes), HTTP Range for video seeking, and hand-off to the web server.

With ``MEDIA_SERVE_HEADER`` set the response has no body: nginx (``X-Accel-Redirect``) or
Apache/lighttpd (``X-Sendfile``) send the file and answer Range requests themselves, so no
Python worker is tied up streaming a video.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse

# Content-hashed names never change their bytes; "private" keeps them out of shared caches.
CACHE_CONTROL = "private, max-age=31536000, immutable"
CHUNK_BYTES = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) byte of a single range; None to send the whole file (no header, or
    several ranges); False when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # the last N bytes
        suffix = int(last_text)
        if suffix == 0:
            return False
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        return False
    return first, last


def _stream(handle: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _handed_off(name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content_type=content_type)
    if settings.MEDIA_SERVE_HEADER == "X-Accel-Redirect":
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + name
    else:
        response["X-Sendfile"] = default_storage.path(name)
    return response


def file_response(request: HttpRequest, name: str, content_type: str) -> HttpResponse:
    """The stored file ``name``, whole or the byte range asked for."""
    etag = '"' + name.rsplit("/", 1)[-1] + '"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse | StreamingHttpResponse = HttpResponse(status=304)
    elif settings.MEDIA_SERVE_HEADER:
        response = _handed_off(name, content_type)
    else:
        response = _streamed(request, name, content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    return response  # type: ignore[return-value]


def _streamed(request: HttpRequest, name: str, content_type: str) -> StreamingHttpResponse:
    try:
        size = default_storage.size(name)
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    wanted = _range(request.headers.get("Range", ""), size)
    if wanted is False:
        handle.close()
        response = StreamingHttpResponse(iter(()), status=416, content_type=content_type)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
    length = last - first + 1 if size else 0
    response = StreamingHttpResponse(
        _stream(handle, first, length),
        status=206 if isinstance(wanted, tuple) else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if isinstance(wanted, tuple):
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
