"""The dashboard's table cells, formatted once in Python.

A therapist's dashboard has a row per patient (200 is a normal panel) and each row has some
twenty values. Through the template engine every value costs a variable lookup, a
localisation and an escape, and two includes a row doubled that: the template took longer
than the database (bench/README.md, dashboard). Here each cell is built with
``format_html`` (which escapes every value) and the template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.outcomes.instruments import Verdict
from apps.outcomes.selectors import main_verdicts
from apps.programs.adherence import AdherenceSummary
from apps.reports.selectors import DashboardRow

NOTHING_DUE = mark_safe('<span class="muted">Nothing due</span>')  # nosec B308
NEVER = mark_safe('<span class="muted">Never</span>')  # nosec B308
NONE = mark_safe('<span class="muted">None</span>')  # nosec B308
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Placeholder swapped for each patient's id: one reverse() a page instead of one a row.
_ID_SLOT = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class RowCells:
    """One patient's row, ready to place: every value is escaped HTML."""

    flagged: bool
    patient: SafeString
    therapist: str
    week: SafeString
    month: SafeString
    last_activity: SafeString
    ladders: SafeString
    prompts: SafeString
    flags: SafeString
    outcome: SafeString = NONE


def adherence_cell(summary: AdherenceSummary) -> SafeString:
    percent = summary.adherence_percent
    if percent is None:
        return NOTHING_DUE
    return format_html(
        '<span class="adherence">{}%</span> <span class="muted units">{} of {} sets</span>',
        percent,
        summary.completed,
        summary.prescribed,
    )


def day_cell(day: date | None) -> SafeString:
    """``<time>`` with the ISO date and "5 Mar 2025" (the template's ``j M Y``)."""
    if day is None:
        return NEVER
    shown = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), shown)


def _ladders(row: DashboardRow) -> SafeString:
    if not row.ladders:
        return NONE
    return format_html_join(
        "",
        '<span class="ladder">{}: level {} of {}</span>',
        ((ladder.ladder, ladder.level, ladder.top) for ladder in row.ladders),
    )


def _prompts(row: DashboardRow) -> SafeString:
    if not row.pending_prompts:
        return mark_safe("0")  # nosec B308
    return format_html('<span class="badge">{}</span>', row.pending_prompts)


def _flags(row: DashboardRow) -> SafeString:
    if not row.flags:
        return NONE
    return format_html_join(
        "",
        '<span class="badge {} flag-{}">{}</span> ',
        ((_flag_tone(flag.code), flag.code, flag.label) for flag in row.flags),
    )


def _outcome(found: tuple[str, Verdict | None] | None) -> SafeString:
    """The latest change of the patient's main outcome measure, with its verdict."""
    if found is None:
        return NONE
    measure, verdict = found
    if verdict is None:
        return format_html('<span class="muted">{}: baseline only</span>', measure)
    tone = {Verdict.IMPROVED: "ok", Verdict.WORSE: "danger"}.get(verdict, "")
    return format_html('{}: <span class="badge {}">{}</span>', measure, tone, verdict.value)


def _flag_tone(code: str) -> str:
    return "danger" if code == "pain" else "warn"


def row_cells(rows: list[DashboardRow]) -> list[RowCells]:
    """The cells of every row, in the rows' order."""
    progress_url = reverse("reports:patient-progress", args=[_ID_SLOT])
    outcomes = main_verdicts(patient_ids=[row.patient.pk for row in rows])
    cells = []
    for row in rows:
        patient = row.patient
        url = progress_url.replace(_ID_SLOT, str(patient.public_id))
        cells.append(
            RowCells(
                flagged=bool(row.flags),
                patient=format_html('<a href="{}">{}</a>', url, patient.full_name),
                therapist=str(patient.therapist),
                week=adherence_cell(row.week),
                month=adherence_cell(row.month),
                last_activity=day_cell(row.last_activity),
                ladders=_ladders(row),
                prompts=_prompts(row),
                flags=_flags(row),
                outcome=_outcome(outcomes.get(patient.pk)),
            )
        )
    return cells
