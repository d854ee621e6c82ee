"""The progress report's PDF, drawn from the report's frozen data."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader

from apps.outcomes.report_pdf import report_pdf


def _text(data: dict[str, Any]) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(report_pdf(data))).pages)


def test_names_and_notes_outside_latin_1_print_as_typed() -> None:
    # Helvetica, reportlab's built-in font, has no "Ł" or "ő": the referrer read black boxes.
    data = {
        "patient_name": "Łukasz Żak",
        "programs": [
            {
                "name": "Biodro",
                "start": "2026-11-02",
                "end": None,
                "notes": "Endoproteza stawu biodrowego, ostrożności: tylne",
                "ladders": [],
            },
        ],
        "outcomes": [
            {
                "name": "PSFS",
                "scale_label": "Activities",
                "baseline": 3.0,
                "latest": 6.0,
                "change": 3.0,
                "verdict": "meaningful improvement",
                "meaningful_change": "MID 1.3",
                "measurement_error": "MDC 2",
                "verdict_needs": "2 points",
                "activities": [
                    {
                        "name": "Wchodzenie po schodach",
                        "baseline": 2,
                        "latest": 6,
                        "verdict": "better, beyond measurement error",
                    }
                ],
            }
        ],
        "therapist_note": "Pani Kővári prosi o kontrolę.",
        "signed_by": "Zsófia Kővári",
    }

    text = _text(data)

    for typed in ("Łukasz Żak", "ostrożności", "Wchodzenie po schodach", "Zsófia Kővári"):
        assert typed in text
    assert "\u25a0" not in text
