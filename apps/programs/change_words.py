"""What a change to a patient's program changed, in the audit log's words: "Clamshell: 2 sets
of 10 reps per side → 3 sets of 12 reps per side", "removed Bridge", "schedule Monday,
Wednesday, Friday → every day". One place, so a clinic admin asking who changed a dose finds
it said the same way for every change (``item_services.program_audit`` writes it, and
``levels.set_level`` a ladder level's change with the dose it brings).

The words name what the log already shows of a program (its name, its exercises, their
doses, its days and dates) and never copy what staff type: a note "changed", nothing more
(an override reason is "kept on the item", in the item's own entry). Each function reads
only the rows it is handed (their exercise or ladder loaded with them), so describing a
change adds no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.utils import dateformat

from apps.programs.builder import weekday_summary
from apps.programs.doses import Dose, dose_amount
from apps.programs.models import Program, ProgramItem
from apps.programs.validation import validate_name, weekdays_mask

ARROW = " \N{RIGHTWARDS ARROW} "
DASH = " \N{EN DASH} "
NO_CHANGE = "saved without changes"


@dataclass(frozen=True)
class ProgramFields:
    """The program's own fields that a change can describe, as they were or will be."""

    name: str
    notes: str
    weekdays: int
    start_date: date | None
    end_date: date | None
    reminder_time: time | None


def program_fields(program: Program) -> ProgramFields:
    return ProgramFields(
        program.name, program.notes, program.weekdays, program.start_date, program.end_date,
        program.reminder_time,
    )  # fmt: skip


def program_changes(before: ProgramFields, after: ProgramFields, *, template: bool) -> list[str]:
    """What changed from ``before`` to ``after`` (a template has no dates)."""
    changes = []
    if after.name != before.name:
        changes.append(f"renamed “{before.name}”{ARROW}“{after.name}”")
    if after.notes != before.notes:
        changes.append("note changed")
    if after.weekdays != before.weekdays:
        changes.append(f"schedule {_days(before.weekdays)}{ARROW}{_days(after.weekdays)}")
    dates = (before.start_date, before.end_date), (after.start_date, after.end_date)
    if not template and dates[0] != dates[1]:
        changes.append(f"dates {_dates(*dates[0])}{ARROW}{_dates(*dates[1])}")
    if after.reminder_time != before.reminder_time:
        reminders = _reminder(before.reminder_time), _reminder(after.reminder_time)
        changes.append(f"reminder {reminders[0]}{ARROW}{reminders[1]}")
    return changes


def changes_asked(before: ProgramFields, wanted: Mapping[str, Any], *, template: bool) -> list[str]:
    """``program_changes`` from ``before`` to the ``wanted`` schedule (weekday numbers, dates,
    reminder time) and, when given, name and notes. Compared with what was asked, not with
    the program saved: new weekdays continue a started program as a version starting today,
    and that start is no change of dates the therapist made."""
    after = ProgramFields(
        name=validate_name(wanted["name"]) if "name" in wanted else before.name,
        notes=wanted["notes"].strip() if "notes" in wanted else before.notes,
        weekdays=weekdays_mask(wanted["weekdays"]),
        start_date=wanted["start_date"],
        end_date=wanted["end_date"],
        reminder_time=wanted["reminder_time"],
    )
    return program_changes(before, after, template=template)


def program_assigned(program: Program) -> str:
    """An assignment, with the days and dates it starts on."""
    days = _days(program.weekdays)
    return f"assigned to the patient ({days}; {_dates(program.start_date, program.end_date)})"


def template_saved(template: Program) -> str:
    """The patient's program copied into a new clinic template, named."""
    return f"saved as the clinic template “{template.name}”"


def _days(weekdays: int) -> str:
    summary = weekday_summary(Program(weekdays=weekdays))
    return summary.lower() if summary == "Every day" else summary


def _day(day: date) -> str:
    return dateformat.format(day, "j M Y")


def _dates(start: date | None, end: date | None) -> str:
    if start is None:
        return "no dates"
    return f"{_day(start)}{DASH}{_day(end)}" if end else f"from {_day(start)}"


def _reminder(at: time | None) -> str:
    return at.strftime("%H:%M") if at is not None else "the clinic's time"


def item_name(item: ProgramItem) -> str:
    """The exercise, or the ladder, the item prescribes (loaded with the item)."""
    if item.ladder_id is not None:
        return item.ladder.name if item.ladder else ""
    return item.exercise.name if item.exercise else ""


def item_added(item: ProgramItem) -> str:
    level = f" level {item.current_level}" if item.ladder_id is not None else ""
    return f"added {item_name(item)}{level} ({dose_amount(item)})"


def item_removed(item: ProgramItem) -> str:
    return f"removed {item_name(item)}"


def item_changes(
    before: ProgramItem, dose: Mapping[str, object], other: Mapping[str, object]
) -> str:
    """What saving ``dose`` (every dose field) and ``other`` (notes, auto-advance) over
    ``before`` changes, named by the item's exercise; "" for nothing. A precaution override
    given or removed is the item's own entry (``item_services.audit_override``), which names
    the exercise it was given for: said here too, the log would say it twice."""
    changes = _dose_changes(before, ProgramItem(**dose))
    if other["notes"] != before.notes:
        changes.append("note changed")
    if other["auto_advance"] != before.auto_advance:
        changes.append(f"automatic advance {'on' if other['auto_advance'] else 'off'}")
    return f"{item_name(before)}: {', '.join(changes)}" if changes else ""


def level_changed(*, item: ProgramItem, from_level: int, to_level: int, dose_before: Dose) -> str:
    """A ladder ``item`` (as saved at ``to_level``) moved from ``from_level``, with the dose
    that came with the new level when it differs from ``dose_before``: "Reverse clamshell:
    level 1 → 2, 1 set of 20-30-second holds per side → 2 sets of 10-20 reps per side". The
    reason the patient is shown stays with the level change; the words say only that it is."""
    changes = [
        f"level {from_level}{ARROW}{to_level}",
        *_dose_changes(ProgramItem(**dose_before), item),
    ]
    return f"{item_name(item)}: {', '.join(changes)} (reason kept with the change)"


def _dose_changes(before: ProgramItem, after: ProgramItem) -> list[str]:
    """The amount and the rest, each when it changed, in the builder's words."""
    changes = []
    if dose_amount(after) != dose_amount(before):
        changes.append(f"{dose_amount(before)}{ARROW}{dose_amount(after)}")
    if after.rest_seconds != before.rest_seconds:
        changes.append(f"rest {before.rest_seconds} s{ARROW}{after.rest_seconds} s")
    return changes
