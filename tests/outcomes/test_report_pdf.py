"""The progress report's PDF, drawn from the report's frozen data."""

from __future__ import annotations

from datetime import date, timedelta
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


def _words(data: dict[str, Any]) -> str:
    return " ".join(_text(data).split())


def test_a_ladder_is_named_with_its_level_out_of_all_and_the_exercise_done() -> None:
    ladder = {
        "ladder": "Clamshell", "level": 2, "level_count": 4, "exercise": "Clamshell with band",
        "since": "2026-11-09", "planned": None,
    }  # fmt: skip
    change = {
        "ladder": "Clamshell", "from_level": 1, "from_exercise": "Clam", "to_level": 2,
        "to_exercise": "Clamshell with band", "on": "2026-11-09",
    }  # fmt: skip
    program = {"name": "Hip", "start": "2026-11-02", "end": None, "notes": "", "ladders": [ladder]}

    text = _words({"programs": [program], "level_changes": [change]})

    assert "Clamshell: level 2 of 4 — Clamshell with band, since 9 Nov 2026" in text
    assert "Clamshell 1 — Clam 2 — Clamshell with band 9 Nov 2026" in text


def test_a_report_frozen_before_ladders_were_named_still_prints_its_levels() -> None:
    program = {
        "name": "Hip", "start": "2026-11-02", "end": None, "notes": "",
        "ladders": [{"ladder": "Clamshell", "level": 2, "since": None}],
    }  # fmt: skip
    change = {"ladder": "Clamshell", "from_level": 1, "to_level": 2, "on": "2026-11-09"}

    text = _words({"programs": [program], "level_changes": [change]})

    assert "Clamshell: level 2" in text
    assert "Clamshell 1 2 9 Nov 2026" in text


def test_a_planned_level_is_printed_apart_from_the_level_in_force() -> None:
    ladder = {
        "ladder": "Clamshell", "level": 2, "level_count": 4, "exercise": "Clamshell with band",
        "since": "2026-11-09", "planned": {"level": 3, "exercise": "Clam 3", "from": "2026-11-20"},
    }  # fmt: skip
    change = {
        "ladder": "Clamshell", "from_level": 2, "from_exercise": "Clamshell with band",
        "to_level": 3, "to_exercise": "Clam 3", "on": "2026-11-20",
    }  # fmt: skip
    program = {"name": "Hip", "start": "2026-11-02", "end": None, "notes": "", "ladders": [ladder]}
    data = {
        "period": {"start": "2026-11-02", "end": "2026-11-19"},
        "programs": [program],
        "level_changes": [change],
    }

    text = _words(data)

    assert (
        "Clamshell: level 2 of 4 — Clamshell with band, since 9 Nov 2026; "
        "moves to level 3 — Clam 3 from 20 Nov 2026."
    ) in text
    assert "Clamshell 2 — Clamshell with band 3 — Clam 3 20 Nov 2026 (planned)" in text


PRECAUTIONS = [
    {"kind": "Posterior (posterolateral) approach",
     "rules": "no flexion beyond 90°; no adduction across the midline; no internal rotation",
     "starts_on": "2026-11-01", "ends_on": "2026-12-13", "status": "in force",
     "note": "THR 30 Oct"}
]  # fmt: skip


def test_the_hip_precautions_and_each_override_with_its_reason_are_printed() -> None:
    override = {
        "program": "Hip", "exercise": "Clam 3", "ladder": "Clamshell", "level": 3,
        "from": "2026-11-20", "reason": "Cleared by the surgeon at 6 weeks", "held_back": False,
        "conflict": "takes the hip into internal rotation (posterior (posterolateral) approach "
        "precautions until 13 Dec 2026)",
    }  # fmt: skip

    text = _words({"precautions": PRECAUTIONS, "overrides": [override]})

    assert (
        "Posterior (posterolateral) approach: no flexion beyond 90°; no adduction across the "
        "midline; no internal rotation. From 1 Nov 2026, lifting on 13 Dec 2026: in force. "
        "Note: THR 30 Oct"
    ) in text
    assert (
        "Clam 3 (Hip, Clamshell level 3 from 20 Nov 2026): takes the hip into internal rotation "
        "(posterior (posterolateral) approach precautions until 13 Dec 2026). "
        "Therapist's reason: Cleared by the surgeon at 6 weeks"
    ) in text


def test_an_override_newer_precautions_hold_back_says_so() -> None:
    override = {
        "program": "Hip", "exercise": "Inward turn", "ladder": None, "level": None,
        "from": None, "reason": "Cleared", "held_back": True,
        "conflict": "takes the hip into internal rotation (custom movements precautions until "
        "13 Dec 2026)",
    }  # fmt: skip

    text = _words({"precautions": PRECAUTIONS, "overrides": [override]})

    assert "Therapist's reason: Cleared. On hold for the patient:" in text


def test_no_precautions_set_is_said_and_an_older_report_prints_none_of_it() -> None:
    text = _words({"precautions": [], "overrides": []})
    assert "Hip precautions None set for this period." in text
    assert "Hip precautions" not in _words({})


def test_the_header_names_the_clinic_and_its_phone_on_every_page() -> None:
    weeks = [
        {"week_of": (date(2026, 1, 5) + timedelta(weeks=n)).isoformat(), "prescribed": 14,
         "completed": 10, "adherence_percent": 71}
        for n in range(60)
    ]  # fmt: skip
    data = {
        "clinic_name": "Riverside Physio", "clinic_phone": "020 7946 0000",
        "adherence_by_week": weeks,
    }  # fmt: skip

    pages = [
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(report_pdf(data))).pages
    ]

    assert len(pages) > 1
    assert pages[0].startswith("Riverside Physio · Phone 020 7946 0000 Progress report")
    for page in pages[1:]:
        assert "Progress report · Riverside Physio · Phone 020 7946 0000" in page


def test_a_clinic_without_a_phone_is_named_alone_and_an_older_report_names_none() -> None:
    assert _words({"clinic_name": "Riverside Physio", "clinic_phone": ""}).startswith(
        "Riverside Physio Progress report"
    )
    assert _words({}).startswith("Progress report Patient:")


def test_the_week_in_progress_is_marked_so_far_and_today_is_said_not_to_count() -> None:
    weeks = [
        {"week_of": "2026-11-30", "prescribed": 14, "completed": 8, "adherence_percent": 57,
         "through": None},
        {"week_of": "2026-12-07", "prescribed": 4, "completed": 4, "adherence_percent": 100,
         "through": "2026-12-08"},
    ]  # fmt: skip

    text = _words({"adherence_by_week": weeks, "adherence_through": "2026-12-08"})

    assert "Only days that are over count, up to 8 Dec 2026: today is left out" in text
    assert "30 Nov 2026 14 8 57 %" in text
    assert "7 Dec 2026 (so far: 2 days) 4 4 100 %" in text


def test_a_report_frozen_before_weeks_were_cut_at_yesterday_prints_its_weeks_as_they_were() -> None:
    weeks = [{"week_of": "2026-11-30", "prescribed": 14, "completed": 8, "adherence_percent": 57}]

    text = _words({"adherence_by_week": weeks})

    assert "30 Nov 2026 14 8 57 %" in text
    assert "so far" not in text
    assert "Only days that are over" not in text


def _outcome(instrument: str, scale: str, label: str, *scores: float) -> dict[str, Any]:
    baseline, latest, change = scores
    return {
        "instrument": instrument, "name": instrument.upper(), "scale": scale,
        "scale_label": label, "baseline": baseline, "latest": latest, "change": change,
        "verdict": "no meaningful change", "meaningful_change": None,
        "measurement_error": None, "activities": [],
    }  # fmt: skip


def test_scores_read_as_on_the_page_a_mean_to_one_place_a_rating_whole() -> None:
    # The page shows a PSFS mean as "4.0" and its change as "2.0"; the PDF printed "4" and
    # "2" beside "3.7", one column mixing both.
    outcomes = [
        _outcome("psfs", "function", "Activities", 4.0, 6.0, 2.0),
        _outcome("psfs", "function", "Activities", 4.0, 3.7, -0.30000000000000004),
        _outcome("nprs", "pain", "Hip pain", 6.0, 4.0, -2.0),
    ]

    text = _words({"outcomes": outcomes})

    assert "PSFS Activities 4.0 6.0 2.0" in text
    assert "PSFS Activities 4.0 3.7 -0.3" in text
    assert "NPRS Hip pain 6 4 -2" in text


def test_dates_read_as_on_the_pages_and_an_open_program_says_no_end_date(settings) -> None:
    settings.LANGUAGE_CODE = "en-gb"
    programs = [
        {"name": "Hip", "start": "2026-11-30", "end": None, "notes": "", "ladders": []},
        {"name": "Knee", "start": "2026-11-02", "end": "2027-01-31", "notes": "", "ladders": []},
    ]
    data = {
        "period": {"start": "2026-11-30", "end": "2026-12-07"},
        "programs": programs,
        "adherence_through": "2026-12-06",
        "adherence_by_week": [
            {"week_of": "2026-11-30", "prescribed": 14, "completed": 8,
             "adherence_percent": 57, "through": "2026-12-06"},
        ],
        "pain_by_week": [{"week_of": "2026-11-30", "max": 4, "mean": 4.0}],
        "signed_by": "Alex Kim",
        "signed_on": "2026-12-07",
    }  # fmt: skip

    text = _words(data)

    assert "Period: 30 Nov 2026 to 7 Dec 2026" in text
    assert "Hip (from 30 Nov 2026, no end date set)" in text
    assert "Knee (2 Nov 2026 to 31 Jan 2027)" in text
    assert "up to 6 Dec 2026" in text
    assert "30 Nov 2026 (so far: 7 days) 14 8 57 %" in text
    assert "30 Nov 2026 4 4.0" in text
    assert "Signed: Alex Kim, 7 Dec 2026" in text
    assert "2026-1" not in text


def test_a_week_with_nothing_due_says_so_as_the_page_does() -> None:
    weeks = [{"week_of": "2026-11-30", "prescribed": 0, "completed": 0, "adherence_percent": None}]
    assert "30 Nov 2026 0 0 nothing due" in _words({"adherence_by_week": weeks})
