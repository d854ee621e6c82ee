"""Files for the media tests, made on the spot: photos by Pillow, videos by ffmpeg."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def jpeg_with_gps(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A wide JPEG whose EXIF says "rotate 90°" (so it shows tall) and where it was taken."""
    # Some detail to look at in screenshots (a fractal), not a flat colour.
    fractal = Image.effect_mandelbrot((width, height), (-2.0, -1.0, 1.0, 1.0), 60)
    image = Image.merge(
        "RGB", (fractal, fractal.point(lambda v: v // 2), Image.new("L", (width, height), 90))
    )
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png(width: int = 300, height: int = 300, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (0, 128, 0, 128) if mode == "RGBA" else 0).save(buffer, "PNG")
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 0, 200)).save(buffer, "WEBP")
    return buffer.getvalue()


def bomb() -> bytes:
    """A small PNG that decodes to 100 megapixels."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _video(path: Path, args: list[str]) -> bytes:
    if not path.exists():
        command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                   "testsrc=duration=2:size=160x120:rate=10", *args, str(path)]  # fmt: skip
        subprocess.run(command, check=True, timeout=120)
    return path.read_bytes()


def mp4(folder: Path) -> bytes:
    return _video(folder / "clip.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p",
                                        "-movflags", "+faststart"])  # fmt: skip


def mp4_index_at_end(folder: Path) -> bytes:
    """An H.264 MP4 as most tools write it: the index (moov) after the frames, so a copy cut
    short has none."""
    return _video(folder / "clip-index-at-end.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"])


def webm(folder: Path) -> bytes:
    return _video(folder / "clip.webm", ["-c:v", "libvpx", "-b:v", "100k"])


def mpeg4_part2(folder: Path) -> bytes:
    """An MP4 whose video is not H.264: phones' browsers may not play it."""
    return _video(folder / "clip-mpeg4.mp4", ["-c:v", "mpeg4"])
