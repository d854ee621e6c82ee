"""The font of the PDFs that print names people typed (core: any app may use it).

reportlab's built-in Helvetica covers Latin-1 only: "Łukasz Żak" prints as "■ukasz ■ak".
DejaVu Sans covers Latin Extended, Greek and Cyrillic; the Docker image installs it
(``fonts-dejavu-core``) and most Linux machines have it. Where it is missing the PDFs keep
Helvetica rather than fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Where Debian / Ubuntu (the Docker image), Fedora and Homebrew put DejaVu Sans.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/opt/homebrew/share/fonts"),
)


@dataclass(frozen=True)
class PdfFonts:
    regular: str
    bold: str


HELVETICA = PdfFonts("Helvetica", "Helvetica-Bold")


@cache
def pdf_fonts() -> PdfFonts:
    """DejaVu Sans, registered with reportlab once (``<b>`` in a paragraph picks its bold),
    or Helvetica when it is not installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "DejaVuSans",
                normal="DejaVuSans",
                bold="DejaVuSans-Bold",
                italic="DejaVuSans",
                boldItalic="DejaVuSans-Bold",
            )
            return PdfFonts("DejaVuSans", "DejaVuSans-Bold")
    return HELVETICA
