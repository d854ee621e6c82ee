"""The progress report for the referrer as a PDF, drawn with reportlab from the report's
frozen ``data`` (the API returns the same data as JSON, so the two never disagree).

The data keeps machine formats (ISO dates, plain numbers); the PDF writes them as the pages
do (``apps.core.formats``): "30 Nov 2026", "57 %", a PSFS mean as "4.0"."""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from html import escape
from typing import Any

from django.conf import settings
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.formats import day_text, decimal_text, percent_text
from apps.core.pdf_fonts import pdf_fonts
from apps.outcomes.instruments import INSTRUMENTS, Code


@cache
def _styles() -> dict[str, ParagraphStyle]:
    # In a font that prints the patient's name, the program notes and the PSFS activities
    # as typed (``apps.core.pdf_fonts``): Helvetica shows "Łukasz" as "■ukasz".
    sheet, fonts = getSampleStyleSheet(), pdf_fonts()
    styles = {
        name: ParagraphStyle(name, parent=sheet[name], fontName=font)
        for name, font in (
            ("BodyText", fonts.regular), ("Title", fonts.bold), ("Heading2", fonts.bold)
        )
    }  # fmt: skip
    # A table cell that wraps, in the size of the tables' other cells (``_grid``).
    styles["Cell"] = ParagraphStyle("Cell", fontName=fonts.regular, fontSize=8.5, leading=10.5)
    styles["Letterhead"] = ParagraphStyle(
        "Letterhead", parent=sheet["BodyText"], fontName=fonts.bold, fontSize=11,
        alignment=TA_CENTER, spaceAfter=6,
    )  # fmt: skip
    return styles


def _grid() -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("FONTNAME", (0, 0), (-1, -1), pdf_fonts().regular),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )


def _p(text: Any, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(str(text)), _styles()[style])


def _table(header: list[str], rows: list[list[Any]], *, wrap: bool = False) -> Flowable:
    """A table with a header row; ``wrap``: its cells wrap (names as long as a ladder's and
    its levels' exercises), and the columns share the page's width."""
    if not rows:
        return _p("Nothing recorded.")
    cells: list[list[Any]] = [[_fmt(v) for v in row] for row in rows]
    if wrap:
        cells = [[_p(v, "Cell") for v in row] for row in cells]
    table = Table([header, *cells], repeatRows=1)
    table.setStyle(_grid())
    return table


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _day(iso: str | None) -> str:
    """An ISO date of the data as the pages write it ("30 Nov 2026"); empty for none."""
    return day_text(date.fromisoformat(iso)) if iso else ""


def _places(outcome: dict[str, Any]) -> int | None:
    """The decimal places the measure's scale scores to; None for a report frozen before the
    data named its instrument and scale."""
    try:
        spec = INSTRUMENTS[Code(outcome["instrument"])]
        return next(s.places for s in spec.scales if s.key == outcome["scale"])
    except (KeyError, ValueError, StopIteration):
        return None


def _score(value: Any, places: int | None) -> Any:
    """A score as the page shows it: a mean "4.0" beside "3.7", a whole rating "6"."""
    if value is None or places is None:
        return value
    return decimal_text(value, places=places)


def _change_values(outcome: dict[str, Any]) -> str:
    """The measure's change values, the meaningful change (MCID / MID) apart from the change
    beyond measurement error (MDC). A report frozen before the two were told apart kept one
    text: it is shown as recorded, under a neutral label."""
    name = outcome["name"]
    if "measurement_error" not in outcome:
        return f"{name}: change values as recorded: {outcome['meaningful_change'] or '-'}."
    text = f"{name}: meaningful change: {outcome['meaningful_change'] or 'not established'}."
    if outcome["measurement_error"]:
        text += f" Beyond measurement error: {outcome['measurement_error']}."
    if outcome.get("verdict_needs"):
        text += f" The verdict needs a change of {outcome['verdict_needs']}."
    return text


def _outcomes(data: dict[str, Any]) -> list[Flowable]:
    rows = [
        [
            f"{o['name']} {o['scale_label']}",
            *(_score(o[key], _places(o)) for key in ("baseline", "latest", "change")),
            o["verdict"] or "-",
        ]
        for o in data["outcomes"]
    ]
    header = ["Measure", "Baseline", "Latest", "Change", "Verdict"]
    parts: list[Flowable] = [_p("Outcome measures", "Heading2"), _table(header, rows)]
    # One line per measure, not per scale (HOOS-12's three scales share theirs).
    notes = dict.fromkeys(_change_values(o) for o in data["outcomes"])
    parts += [_p(note) for note in notes]
    activities = [
        [a["name"], a["baseline"], a["latest"], a["verdict"]]
        for o in data["outcomes"]
        for a in o.get("activities", [])
    ]
    if activities:
        parts += [
            _p(
                "PSFS activities (a change of 3 points or more on one activity is beyond "
                "measurement error: the MDC, not a meaningful-change value)"
            ),
            _table(["Activity", "First", "Latest", "Verdict"], activities),
        ]
    return parts


def _level(level: Any, exercise: str | None = None, count: int | None = None) -> str:
    """E.g. "level 2 of 4 — Reverse clamshell"; a report frozen before levels were named
    kept the number alone."""
    text = f"level {level}" + (f" of {count}" if count else "")
    return f"{text} — {exercise}" if exercise else text


def _ladder(ladder: dict[str, Any]) -> str:
    """E.g. "Clamshell: level 2 of 4 — Reverse clamshell, since 2026-11-09; moves to level 3
    — Clam 3 from 2026-11-20." The level is the one in force on the report's date; a level
    approved to start later is said apart."""
    text = f"{ladder['ladder']}: " + _level(
        ladder["level"], ladder.get("exercise"), ladder.get("level_count")
    )
    if ladder.get("since"):
        text += f", since {_day(ladder['since'])}"
    planned = ladder.get("planned")
    if planned:
        text += (
            f"; moves to {_level(planned['level'], planned['exercise'])} "
            f"from {_day(planned['from'])}"
        )
    return text + "."


def _change(change: dict[str, Any], end: str) -> list[Any]:
    """A level change's row; one that takes effect after the report's date is planned."""
    planned = " (planned)" if end and change["on"] > end else ""
    return [
        change["ladder"],
        _level(change["from_level"], change.get("from_exercise")).removeprefix("level "),
        _level(change["to_level"], change.get("to_exercise")).removeprefix("level "),
        _day(change["on"]) + planned,
    ]


def _precaution(precaution: dict[str, Any]) -> str:
    """E.g. "Posterior (posterolateral) approach: no flexion beyond 90°; …. From 1 Nov 2026,
    lifting on 13 Dec 2026: in force." and the therapist's note (the surgeon's instruction).
    The end date is the first day without them, and is worded so, as on every page."""
    text = (
        f"{precaution['kind']}: {precaution['rules']}. From {_day(precaution['starts_on'])}, "
        f"lifting on {_day(precaution['ends_on'])}: {precaution['status']}."
    )
    return f"{text} Note: {precaution['note']}" if precaution["note"] else text


def _override(override: dict[str, Any]) -> str:
    """E.g. "Clam 3 (Hip, Clamshell level 3 from 2026-11-20): takes the hip into internal
    rotation (…). Therapist's reason: …"."""
    where = override["program"]
    if override["ladder"]:
        where += f", {override['ladder']} level {override['level']}"
    if override["from"]:
        where += f" from {_day(override['from'])}"
    text = (
        f"{override['exercise']} ({where}): {override['conflict']}. "
        f"Therapist's reason: {override['reason']}."
    )
    if override["held_back"]:
        text += (
            " On hold for the patient: the reason does not cover precautions set since, so "
            "their program leaves the exercise out until it does."
        )
    return text


def _precautions(data: dict[str, Any]) -> list[Flowable]:
    """The hip precautions of the period and each exercise prescribed despite them, with the
    therapist's reason; nothing for a report made before they were reported."""
    if "precautions" not in data:
        return []
    parts: list[Flowable] = [_p("Hip precautions", "Heading2")]
    parts += [_p(_precaution(p)) for p in data["precautions"]] or [_p("None set for this period.")]
    if data.get("overrides"):
        parts.append(_p("Prescribed despite a precaution conflict (the therapist's override):"))
        parts += [_p(_override(o)) for o in data["overrides"]]
    return parts


def _program_dates(program: dict[str, Any]) -> str:
    """E.g. "30 Nov 2026 to 31 Jan 2027", or "from 30 Nov 2026, no end date set"."""
    start = _day(program["start"]) or "no start date set"
    if program["end"]:
        return f"{start} to {_day(program['end'])}"
    return f"from {start}, no end date set" if program["start"] else f"{start}, no end date set"


def _programs(data: dict[str, Any]) -> list[Flowable]:
    parts: list[Flowable] = [_p("Program and ladder levels", "Heading2")]
    for program in data["programs"]:
        parts.append(_p(f"{program['name']} ({_program_dates(program)})"))
        if program["notes"]:
            parts.append(_p(f"Diagnosis / precautions as entered: {program['notes']}"))
        parts += [_p(_ladder(ladder)) for ladder in program["ladders"]]
    changes = [_change(c, data["period"]["end"]) for c in data["level_changes"]]
    if changes:
        header = ["Ladder", "From level", "To level", "From date"]
        parts += [Spacer(1, 3 * mm), _p("Level changes"), _table(header, changes, wrap=True)]
    return parts


def _week_of(week: dict[str, Any]) -> str:
    """The week's Monday; a week still going on says how many of its days count so far."""
    through = week.get("through")
    if not through:
        return _day(week["week_of"])
    days = (date.fromisoformat(through) - date.fromisoformat(week["week_of"])).days + 1
    return f"{_day(week['week_of'])} (so far: {days} day{'' if days == 1 else 's'})"


def _adherence(data: dict[str, Any]) -> list[Flowable]:
    """Adherence week by week. A report made since weeks stop at the last day that is over
    says so: a referrer reading a Monday-morning report must not take the day begun for a
    week missed."""
    parts: list[Flowable] = [_p("Adherence by week", "Heading2")]
    if data.get("adherence_through"):
        parts.append(
            _p(
                f"Only days that are over count, up to {_day(data['adherence_through'])}: today is "
                'left out until it ends, and the week in progress is marked "so far".'
            )
        )
    rows = [
        [_week_of(w), w["prescribed"], w["completed"], _percent(w["adherence_percent"])]
        for w in data["adherence_by_week"]
    ]
    return [*parts, _table(["Week of", "Sets prescribed", "Sets done", "Adherence"], rows)]


def _percent(value: int | None) -> str:
    """ "57 %" as on every page; a week with nothing prescribed says so, as the page does."""
    return "nothing due" if value is None else percent_text(value)


def _clinic(data: dict[str, Any]) -> str:
    """E.g. "Riverside Physio · Phone 020 7946 0000"; empty for a report made before the
    clinic was named on it."""
    name, phone = data.get("clinic_name") or "", data.get("clinic_phone") or ""
    return f"{name} · Phone {phone}" if name and phone else name


def _running_header(data: dict[str, Any]) -> Any:
    """Draws the clinic's name and phone at the top of each page after the first (the first
    has them as its letterhead), so a page read apart still says who sent it."""
    text = " · ".join(part for part in ("Progress report", _clinic(data)) if part)

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(pdf_fonts().regular, 7)  # the clinic's name as typed
        canvas.setFillColor(colors.HexColor("#4a5560"))
        canvas.drawString(doc.leftMargin, doc.pagesize[1] - 9 * mm, text)
        canvas.restoreState()

    return draw


# What a report without some part shows (a report made before a part existed renders too).
EMPTY: dict[str, Any] = {
    "patient_name": "", "year_of_birth": "", "patient_reference": "", "therapist_name": "",
    "period": {"start": "", "end": ""}, "programs": [], "level_changes": [],
    "adherence_by_week": [], "pain_by_week": [], "outcomes": [], "therapist_note": "",
    "signed_by": "", "signed_on": "",
}  # fmt: skip


def report_pdf(data: dict[str, Any]) -> bytes:
    """The report's pages as PDF bytes, its dates in the installation's locale."""
    with translation.override(settings.LANGUAGE_CODE):
        return _report_pdf({**EMPTY, **data})


def _report_pdf(data: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title="Progress report",
    )  # fmt: skip
    period = data["period"]
    clinic = _clinic(data)
    story: list[Flowable] = [
        *([_p(clinic, "Letterhead")] if clinic else []),
        _p("Progress report", "Title"),
        _p(f"Patient: {data['patient_name']} (born {data['year_of_birth']}), "
           f"reference {data['patient_reference']}"),
        *([_p(f"Therapist: {data['therapist_name']}")] if data["therapist_name"] else []),
        _p(f"Period: {_day(period['start'])} to {_day(period['end'])}"),
        *_precautions(data),
        *_programs(data),
        *_adherence(data),
        _p("Pain during exercise by week (0-10)", "Heading2"),
        _table(
            ["Week of", "Highest", "Average"],
            [[_day(w["week_of"]), w["max"], _score(w["mean"], 1)] for w in data["pain_by_week"]],
        ),
        *_outcomes(data),
        _p("Therapist's note", "Heading2"),
        _p(data["therapist_note"] or "No note."),
        Spacer(1, 6 * mm),
        _p(f"Signed: {data['signed_by']}, {_day(data['signed_on'])}"),
    ]  # fmt: skip
    doc.build(story, onLaterPages=_running_header(data))
    return buffer.getvalue()
