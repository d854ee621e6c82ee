"""A fingerprint of the code, templates and static files this process serves, for cache
keys of rendered pages: an entry written by an older release (or, under ``DEBUG``, before a
template was edited) is never served by a newer one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from django.conf import settings

ROOTS = ("apps", "templates", "static")
SKIPPED = {"__pycache__", "migrations", "node_modules"}


def _files() -> Iterator[tuple[str, Path]]:
    base = Path(settings.BASE_DIR)
    for root in ROOTS:
        for path in sorted((base / root).rglob("*")):
            name = path.relative_to(base)
            if path.is_file() and not SKIPPED & set(name.parts):
                yield str(name), path


@cache
def _contents() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name, path in _files():
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stats() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name, path in _files():
        stat = path.stat()
        digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def code_version() -> str:
    """The contents' hash, read once per process (a release restarts the processes); under
    ``DEBUG``, where templates reload without a restart, the files' sizes and times on every
    call (a millisecond or two)."""
    return _stats() if settings.DEBUG else _contents()
