"""The dashboard's table body, written once in Python.

A therapist's dashboard has a row per patient (200 is a normal panel) and each row has some
twenty values. Through the template engine every value costs a variable lookup, a
localisation and an escape; even ``format_html`` per cell (its ``conditional_escape`` and
``SafeString`` wrapping of every argument) cost more than the database (bench/README.md,
dashboard). Here each row is one f-string: text from the database goes through
``html.escape`` (what Django's ``escape`` and the template's autoescape call), numbers and
dates are written as digits, and the template places the whole body once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from apps.core.formats import percent_text
from apps.outcomes.instruments import Verdict
from apps.outcomes.selectors import main_verdicts
from apps.reports.dashboard_figures import Adherence
from apps.reports.dashboard_selectors import DashboardRow

NOTHING_DUE = '<span class="muted">Nothing due</span>'
NEVER = '<span class="muted">Never</span>'
NONE = '<span class="muted">None</span>'
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Placeholder swapped for each patient's id: one reverse() a page instead of one a row.
_ID_SLOT = "00000000-0000-0000-0000-000000000000"
# One body row, as the template wrote it (the therapist cell only for clinic admins).
_ROW = """
    <tr{flagged}>
      <th scope="row"><a href="{url}">{name}</a></th>{therapist}
      <td>{week}</td>
      <td>{month}</td>
      <td>{last_activity}</td>
      <td>{ladders}</td>
      <td>{prompts}</td>
      <td class="flags">{flags}</td>
      <td>{outcome}</td>
    </tr>"""


def adherence_cell(window: Adherence) -> str:
    """Numbers only (nothing to escape)."""
    value = window.adherence_percent
    if value is None:
        return NOTHING_DUE
    return (
        f'<span class="adherence">{percent_text(value)}</span> '
        f'<span class="muted units">{window.completed} of {window.prescribed} sets</span>'
    )


def day_cell(day: date | None) -> str:
    """``<time>`` with the ISO date and "5 Mar 2025" (the template's ``j M Y``)."""
    if day is None:
        return NEVER
    return f'<time datetime="{day.isoformat()}">{day.day} {MONTHS[day.month - 1]} {day.year}</time>'


def _ladders(row: DashboardRow) -> str:
    if not row.ladders:
        return NONE
    return "".join(
        f'<span class="ladder">{escape(name)}: level {level} of {top}</span>'
        for name, level, top in row.ladders
    )


def _prompts(row: DashboardRow) -> str:
    if not row.pending_prompts:
        return "0"
    return f'<span class="badge">{row.pending_prompts}</span>'


def _flags(row: DashboardRow, patient_url: str) -> str:
    if not row.flags:
        return NONE
    # Codes are the selector's constants; labels carry numbers and dates, escaped anyway.
    badges = "".join(
        f'<span class="badge {_flag_tone(code)} flag-{code}">{escape(label)}</span> '
        for code, label in row.flags
    )
    if row.patient.link_locked:
        # The patient's page has the Renew button (and says what renewing does).
        badges += f'<a href="{patient_url}#link-heading">Renew the link</a>'
    return badges


def _outcome(found: tuple[str, Verdict | None] | None) -> str:
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


def table_rows(rows: Sequence[DashboardRow], *, show_therapist: bool) -> SafeString:
    """The table's body rows, in the rows' order, as one piece of escaped HTML: the page
    places it once instead of twenty template lookups a row."""
    if not rows:
        return mark_safe("")  # nosec B308, B703
    progress_url = reverse("reports:patient-progress", args=[_ID_SLOT])
    detail_url = reverse("patients:detail", args=[_ID_SLOT])
    outcomes = main_verdicts(patient_ids=[row.patient.pk for row in rows])
    parts = []
    for row in rows:
        patient = row.patient
        url = progress_url.replace(_ID_SLOT, str(patient.public_id))
        therapist = f"\n      <td>{escape(patient.therapist)}</td>" if show_therapist else ""
        parts.append(
            _ROW.format(
                flagged=' class="flagged"' if row.flags else "",
                url=url,
                name=escape(patient.full_name),
                therapist=therapist,
                week=adherence_cell(row.week),
                month=adherence_cell(row.month),
                last_activity=day_cell(row.last_activity),
                ladders=_ladders(row),
                prompts=_prompts(row),
                flags=_flags(row, detail_url.replace(_ID_SLOT, str(patient.public_id))),
                outcome=_outcome(outcomes.get(patient.pk)),
            )
        )
    # Every value above is escaped or a number.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703
