"""The type of an upload comes from its first bytes, never from its name or declared type."""

from __future__ import annotations

import pytest

from apps.media.sniff import sniff
from tests.media import samples


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (samples.png()[:64], "image/png"),
        (samples.webp()[:64], "image/webp"),
        (b"\xff\xd8\xff\xe1" + b"\x00" * 60, "image/jpeg"),
        (b"\x00\x00\x00\x20ftypisom" + b"\x00" * 52, "video/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 40, "video/webm"),
    ],
)
def test_allowed_types_are_known_by_their_signature(head, expected):
    found = sniff(head)

    assert found is not None
    assert found.content_type == expected


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x18ftypheic" + b"\x00" * 52,  # an iPhone photo
        b"\x00\x00\x00\x18ftypmif1" + b"\x00" * 52,
        b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 52,  # QuickTime .mov
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 40,  # .mkv
        samples.SVG,
        samples.HTML,
        b"%PDF-1.7\n",
        b"GIF89a" + b"\x00" * 58,
        b"",
    ],
)
def test_anything_else_is_not_allowed(head):
    assert sniff(head) is None
