"""Writes that change an existing program: rename, reschedule, and the API's PATCH of any of
its fields (``program_edit``), each in one transaction with its audit entry
(``item_services.program_audit``), under the program's lock. Programs are made in
``services``; their items are written in ``item_services``.

Once a program has started, its past stays as it was: its start date is fixed, and new
weekdays end it yesterday and continue it today in a new version, each item's ``track``
going on in it (``_program_continue``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.patients.services import patient_today_bump
from apps.programs import dispatch
from apps.programs.change_words import changes_asked, program_fields
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.duplicates import check_rescheduled, running_pairs_before
from apps.programs.item_services import program_audit
from apps.programs.locks import lock_program_if_editable
from apps.programs.models import Program
from apps.programs.prompt_decisions import CLOSED_ENDED, prompts_withdraw
from apps.programs.rows import continue_items, has_started, patient_today
from apps.programs.schedule_checks import check_reminder_time, check_schedule_dates
from apps.programs.validation import (
    validate_dates,
    validate_name,
    validate_program_notes,
    weekdays_mask,
)

if TYPE_CHECKING:
    from apps.clinics.models import User


def program_update(
    *,
    actor: User,
    program: Program,
    name: str,
    notes: str = "",
    request: HttpRequest | None = None,
) -> Program:
    """Rename the program and set its notes (both given): ``program_edit`` with the two."""
    changes = {"name": name, "notes": notes}
    return program_edit(actor=actor, program=program, changes=changes, request=request)


def _rename(program: Program, name: str, notes: str) -> None:
    program.name = validate_name(name)
    # Only a note typed anew is limited: one saved longer before the limit is kept whole
    # when only the name changes.
    notes = notes.strip()
    if notes != program.notes:
        program.notes = validate_program_notes(notes)
    program.updated_at = timezone.now()
    program.save(update_fields=["name", "notes", "updated_at"])
    # Today names each card's program when the patient has more than one that day.
    patient_today_bump(patient_id=program.patient_id)


@transaction.atomic
def program_schedule_update(
    *,
    actor: User,
    program: Program,
    weekdays: Iterable[int],
    start_date: date | None = None,
    end_date: date | None = None,
    reminder_time: time | None = None,
    confirm_duplicate_ladder: bool = False,
    request: HttpRequest | None = None,
) -> Program:
    """Change the weekdays and reminder time (and, for a patient's program, its dates);
    returns the program now in force (audited on that one). Ending the program closes its
    open progression prompts. New dates that bring a running program beside another sharing
    a ladder or an exercise with it need ``confirm_duplicate_ladder``
    (``duplicates.check_rescheduled``). A caller who may no longer change the program (its
    patient handed over to a colleague since the request's own check) is a 404 and nothing
    is saved."""
    lock_program_if_editable(program=program, actor=actor)
    before = program_fields(program)
    wanted = {  # the weekdays read twice, to change and to audit: no generator
        "weekdays": list(weekdays), "start_date": start_date, "end_date": end_date,
        "reminder_time": reminder_time,
    }  # fmt: skip
    saved = _reschedule_asking(actor, program, wanted, confirm_duplicate_ladder, request)
    changes = changes_asked(before, wanted, template=saved.is_template)
    program_audit(
        actor=actor, program=saved, action=Action.CHANGE, changes=changes, request=request
    )
    return saved


def _reschedule_asking(
    actor: User,
    program: Program,
    wanted: Mapping[str, Any],
    confirmed: bool,
    request: HttpRequest | None,
) -> Program:
    """``_reschedule`` to the ``wanted`` weekdays, dates and reminder time, asking about what
    the new dates bring together (``duplicates.check_rescheduled``: refused unless
    ``confirmed``), then what follows: the prompts of an ended program closed, the patient's
    totals refreshed. Returns the program now in force."""
    known = running_pairs_before(program, wanted["start_date"], wanted["end_date"])
    saved = _reschedule(
        actor, program, wanted["weekdays"], wanted["start_date"], wanted["end_date"],
        wanted["reminder_time"],
    )  # fmt: skip
    check_rescheduled(actor=actor, program=saved, known=known, confirmed=confirmed, request=request)
    _close_prompts_of_ended(actor, program, request)
    daily_totals_refresh_patient(patient_id=program.patient_id)
    return saved


def _reschedule(
    actor: User,
    program: Program,
    weekdays: Iterable[int],
    start_date: date | None,
    end_date: date | None,
    reminder_time: time | None,
) -> Program:
    """The schedule change itself.

    Once a program has started its past stays as it was: the start date is fixed, the end
    date cannot be earlier than the patient's yesterday, and new weekdays start a new version
    of the program today (see ``_program_continue``). The reminder time is not history (a
    reminder already sent keeps its own time): it changes in place, or goes on in the new
    version.
    """
    mask = weekdays_mask(weekdays)
    # A time the clinic's quiet hours have grown over since it was chosen is flagged, not
    # refused again: a change of weekdays or dates that leaves it alone goes through.
    if reminder_time != program.reminder_time:
        check_reminder_time(actor, reminder_time)
    fields = ["weekdays", "reminder_time", "updated_at"]
    if not program.is_template:
        check_schedule_dates(program, start_date, end_date)
        today = patient_today(program)
        if mask != program.weekdays and has_started(program, today):
            follow_on = _program_continue(actor, program, today, mask, end_date, reminder_time)
            dispatch.enqueue_program_continued(program.pk, follow_on.pk)
            return follow_on
        if (start_date, end_date) != (program.start_date, program.end_date):
            dispatch.enqueue_program_rescheduled(program.pk)
        program.start_date, program.end_date = start_date, end_date
        fields += ["start_date", "end_date"]
    program.weekdays, program.reminder_time = mask, reminder_time
    program.updated_at = timezone.now()
    program.save(update_fields=fields)
    return program


def _program_continue(
    actor: User,
    program: Program,
    today: date,
    mask: int,
    end_date: date | None,
    reminder_time: time | None,
) -> Program:
    """End a started program yesterday and continue it today on new weekdays.

    Past days keep the weekdays they were scheduled on (adherence never changes after the
    fact). Each item goes on in the new version with the same ``track`` and ladder level, so
    progression prompts and history follow it.
    """
    validate_dates(today, end_date)
    yesterday = today - timedelta(days=1)
    items = list(program.items.current(on=today))
    program.end_date, program.updated_at = yesterday, timezone.now()
    program.save(update_fields=["end_date", "updated_at"])
    program.items.filter(pk__in=[item.pk for item in items]).update(active_until=yesterday)
    follow_on = Program.objects.create(
        clinic_id=program.clinic_id, patient_id=program.patient_id, created_by=actor,
        name=program.name, notes=program.notes, weekdays=mask, start_date=today,
        end_date=end_date, reminder_time=reminder_time,
    )  # fmt: skip
    continue_items(items, follow_on)
    return follow_on


def _close_prompts_of_ended(actor: User, program: Program, request: HttpRequest | None) -> None:
    """After a schedule change: close the open prompts of the program's exercises that the
    patient is no longer given from their next day (it ends today or has ended). New weekdays
    carry every track on into the next version, and an end date still to come closes
    nothing yet."""
    if program.patient_id is None or program.end_date is None:
        return
    tracks = set(program.items.values_list("track", flat=True))
    prompts_withdraw(
        patient_id=program.patient_id, tracks=tracks, reason=CLOSED_ENDED, actor=actor,
        request=request,
    )  # fmt: skip


PROGRAM_FIELDS = ("name", "notes", "weekdays", "start_date", "end_date", "reminder_time")


def program_edit(
    *,
    actor: User,
    program: Program,
    changes: Mapping[str, Any],
    confirm_duplicate_ladder: bool = False,
    request: HttpRequest | None = None,
) -> Program:
    """``program_edit_changed`` without saying whether anything changed."""
    saved, _ = program_edit_changed(
        actor=actor, program=program, changes=changes,
        confirm_duplicate_ladder=confirm_duplicate_ladder, request=request,
    )  # fmt: skip
    return saved


@transaction.atomic
def program_edit_changed(
    *,
    actor: User,
    program: Program,
    changes: Mapping[str, Any],
    confirm_duplicate_ladder: bool = False,
    request: HttpRequest | None = None,
) -> tuple[Program, bool]:
    """Change the fields named in ``changes`` (of ``PROGRAM_FIELDS``; the API's PATCH) and
    keep the others as they are now: the program is read again under its lock first, so a
    change committed since the caller read it (the schedule page, a colleague's PATCH) is
    kept, and the checks across fields (start before end) are made with it. All or nothing,
    one audit entry for the program (and one for each progression prompt its end closes);
    a change that changes nothing writes and records nothing. Returns the program now in
    force (new weekdays may continue a started program as a new one), and whether anything
    changed (a colleague may have saved the same values meanwhile). New dates ask as
    ``program_schedule_update``'s do (``confirm_duplicate_ladder``)."""
    unknown = set(changes) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValueError(f"not program fields: {sorted(unknown)}")
    lock_program_if_editable(program=program, actor=actor)
    before = program_fields(program)
    wanted = {
        "name": program.name, "notes": program.notes, "weekdays": program.weekday_numbers,
        "start_date": program.start_date, "end_date": program.end_date,
        "reminder_time": program.reminder_time,
    } | dict(changes)  # fmt: skip
    renamed = (validate_name(wanted["name"]), wanted["notes"].strip()) != (
        program.name,
        program.notes,
    )
    rescheduled = _schedule_differs(program, wanted)
    if renamed:
        _rename(program, wanted["name"], wanted["notes"])
    saved = program
    if rescheduled:
        saved = _reschedule_asking(actor, program, wanted, confirm_duplicate_ladder, request)
    if renamed or rescheduled:
        described = changes_asked(before, wanted, template=saved.is_template)
        program_audit(
            actor=actor, program=saved, action=Action.CHANGE, changes=described, request=request
        )
    return saved, renamed or rescheduled


def _schedule_differs(program: Program, wanted: Mapping[str, Any]) -> bool:
    """Whether ``wanted`` changes the program's schedule (a template has no dates)."""
    dates = () if program.is_template else ("start_date", "end_date")
    if any(wanted[name] != getattr(program, name) for name in ("reminder_time", *dates)):
        return True
    return weekdays_mask(wanted["weekdays"]) != program.weekdays
