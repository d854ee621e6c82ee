"""A ladder track's level: the row in force, whether the patient is still given the track
from their next day, and moving it to another level from that day with a ``LevelChange``
whose ``reason`` the patient sees.

Shared by the rule's automatic advance and its undoing (``progression``) and the therapist's
decisions (``prompt_decisions``), so neither imports the other for it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record, detail_fit
from apps.exercises.models import Exercise, LadderLevel
from apps.patients.models import Patient
from apps.programs.change_words import level_changed
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import Dose, dose_at_new_level, dose_of
from apps.programs.level_history import level_from_changes, needs_history
from apps.programs.models import LevelChange, ProgramItem, ProgressionPrompt
from apps.programs.precautions import Override, checked_override
from apps.programs.rows import item_has_history, item_restart

if TYPE_CHECKING:
    from apps.clinics.models import User

REASON_MAX = 300


def level_exercise(ladder_id: int, level: int) -> Exercise | None:
    rung = LadderLevel.objects.select_related("exercise").filter(ladder_id=ladder_id, level=level)
    found = rung.first()
    return found.exercise if found is not None else None


def _with_dose(item: ProgramItem, dose: Dose, first_day: date) -> ProgramItem:
    """The row that prescribes ``dose`` from ``first_day``: the same row changed, when it has
    prescribed nothing yet; else a new row of the same track from that day (``item_restart``,
    as a dose edit in the builder), the old one ending the day before."""
    if not item_has_history(item, first_day):
        for name, value in dose.items():
            setattr(item, name, value)
        item.save(update_fields=list(dose))
        return item
    carried = {
        "notes": item.notes, "auto_advance": item.auto_advance,
        "precaution_override": item.precaution_override,
        "precaution_override_covers": item.precaution_override_covers,
    }  # fmt: skip
    return item_restart(item, first_day, {**dose, **carried})


def track_rows(*, track: UUID, patient_id: int) -> QuerySet[ProgramItem]:
    """The rows of a patient's track, the one in force now first (a dose edit ends a row and
    continues the track on a new one)."""
    return ProgramItem.objects.filter(track=track, program__patient_id=patient_id).order_by(
        F("active_until").desc(nulls_first=True), "-pk"
    )


def tracks_going_on(*, prompts: list[ProgressionPrompt]) -> set[UUID]:
    """The tracks of these prompts that the patient is still given from their next day, when
    a level approved now would start: not removed from the program, in a program that has
    not ended. One query."""
    patients = {p.patient_id: p.patient for p in prompts}
    return tracks_going_on_for(patients=patients, tracks={p.track for p in prompts})


def tracks_going_on_for(*, patients: dict[int, Patient], tracks: set[UUID]) -> set[UUID]:
    return set(track_levels_going_on_for(patients=patients, tracks=tracks))


def track_levels_going_on(*, prompts: list[ProgressionPrompt]) -> dict[UUID, int | None]:
    """``tracks_going_on`` with the level of each track's row in force (as ``advance`` reads
    it): a prompt raised at another level can no longer be approved. One query."""
    patients = {p.patient_id: p.patient for p in prompts}
    return track_levels_going_on_for(patients=patients, tracks={p.track for p in prompts})


def track_levels_going_on_for(
    *, patients: dict[int, Patient], tracks: set[UUID]
) -> dict[UUID, int | None]:
    if not tracks:
        return {}
    tomorrow = {pk: patient.local_today() + timedelta(days=1) for pk, patient in patients.items()}
    going_on = Q()
    for patient_id, day in tomorrow.items():
        going_on |= (
            Q(program__patient_id=patient_id)
            & (Q(active_until__isnull=True) | Q(active_until__gte=day))
            & (Q(program__end_date__isnull=True) | Q(program__end_date__gte=day))
        )
    rows = ProgramItem.objects.filter(going_on, track__in=tracks, program__is_active=True)
    in_force = rows.order_by(F("active_until").asc(nulls_last=True), "pk")
    # Ascending, so the row in force (as ``track_rows`` orders them) is the last one kept.
    return dict(in_force.values_list("track", "current_level"))


def level_on_day(item: ProgramItem, day: date) -> int | None:
    """The ladder level ``item``'s track prescribed on ``day``, for a set done that day.

    ``item.level_on`` remembers only the last change: the level before it, which was in force
    on the day the change was made (``level_since`` is the day after). For an earlier day (a
    set done then and synced after two changes, the phone offline) the level comes from the
    history of changes (``level_history.level_from_changes``). One query, only for such a
    day; a reader of many days or items loads the changes once instead
    (``level_history.changes_needed``)."""
    if not needs_history(item, day):
        return item.level_on(day)
    patient_id = item.program.patient_id
    assert patient_id is not None  # a ladder item with a level change is assigned
    changes = LevelChange.objects.filter(
        item__track=item.track, item__program__patient_id=patient_id
    )
    return level_from_changes(item, day, list(changes))


def item_in_force(prompt: ProgressionPrompt) -> ProgramItem:
    """The row of the prompt's track in force now (a dose edit may have replaced the prompt's
    own row), locked so two approvals cannot both advance it."""
    item = track_rows(track=prompt.track, patient_id=prompt.patient_id).select_for_update().first()
    if item is None:
        raise ValidationError({"item": "This exercise is no longer in the patient's program."})
    return item


def advance(
    *,
    prompt: ProgressionPrompt,
    changed_by: User | None,
    reason: str,
    precaution_override: str = "",
    request: HttpRequest | None = None,
) -> LevelChange:
    item = item_in_force(prompt)
    if item.current_level != prompt.level or prompt.next_level is None:
        raise ValidationError(
            {"level": "The level changed since this prompt was raised; nothing was advanced."}
        )
    return set_level(
        item=item, to_level=prompt.next_level, changed_by=changed_by, reason=reason,
        prompt=prompt, precaution_override=precaution_override, request=request,
    )  # fmt: skip


def set_level(
    *,
    item: ProgramItem,
    to_level: int,
    changed_by: User | None,
    reason: str,
    prompt: ProgressionPrompt | None = None,
    precaution_override: str = "",
    request: HttpRequest | None = None,
    step_back: bool = False,
) -> LevelChange:
    """Move the (locked) item in force to ``to_level`` from the patient's next local day (at
    once on a draft, which prescribes nothing yet) and record the change with the reason the
    patient is shown.

    A level whose exercise runs into the patient's hip precautions on that day is refused
    without ``precaution_override`` (a ValidationError naming the movements); with one, the
    reason is kept on the item, as the builder keeps it, and audited in this transaction.
    Except a ``step_back`` the app takes on its own (an automatic advance undone after pain
    or a worse morning): reducing the load is never refused, and a lower level that the
    precautions hold back is left out of Today until the therapist decides (refusing it
    kept the patient on the harder level and failed the evaluation on every retry).

    A level whose exercise has another usual dose (``doses.dose_at_new_level``) brings it:
    the row ends today and the track continues from the new level's first day with the new
    dose, so the days before keep the dose they were prescribed.

    A person's change (``changed_by``) is audited here, in this transaction, saying the level
    and the dose the row prescribed before and after (``change_words.level_changed``),
    whichever way it came: a prompt approved or a level set by hand. The app's own moves are
    not: an automatic advance waits for the therapist when the dose would change, and its
    prompt records it.
    """
    patient = item.program.patient
    assert patient is not None  # ladder items with levels belong to assigned programs
    assert item.ladder_id is not None  # only a ladder item has levels
    today = patient.local_today()
    # A draft prescribes nothing yet: there is no day of the patient's to finish at the old
    # level, so the new one (and its dose) starts at once. From the next day, a draft assigned
    # the same day gave today's level with the new level's dose (the stretch in reps).
    draft = not item.program.is_active and not item.program.is_template
    effective_on = today if draft else today + timedelta(days=1)
    # The level in force today, not one already changed from tomorrow: a second change made
    # the same day replaces that one, and today's level stays what the patient is doing.
    from_level = item.level_on(today)
    assert from_level is not None
    rung = LadderLevel.objects.select_related("exercise").get(
        ladder_id=item.ladder_id, level=to_level
    )
    override = _level_override(
        item, patient, rung, precaution_override, effective_on, step_back=step_back
    )
    # What the row prescribed before, for the audit entry (``_item_to_level`` may write the
    # new level's dose on it): its level may be one already changed from tomorrow.
    level_before, dose_before = item.current_level, dose_of(item)
    item = _item_to_level(item, from_level, rung, effective_on, override)
    # A level's exercise can be held back by hip precautions: what the days prescribe may
    # have changed with it.
    daily_totals_refresh_patient(patient_id=patient.pk)
    if override.reason:
        _audit_override(changed_by, patient, item, rung, request)
    change = LevelChange.objects.create(
        item=item,
        from_level=from_level,
        to_level=to_level,
        effective_on=effective_on,
        reason=reason[:REASON_MAX],
        changed_by=changed_by,
        prompt=prompt,
    )
    if changed_by is not None:
        assert level_before is not None  # a ladder item has a level
        words = level_changed(
            item=item, from_level=level_before, to_level=to_level, dose_before=dose_before
        )
        audit_record(
            actor=changed_by, action=Action.CHANGE, patient=patient, target=item,
            detail=detail_fit([words]), request=request,
        )  # fmt: skip
    return change


def _level_override(
    item: ProgramItem,
    patient: Patient,
    rung: LadderLevel,
    precaution_override: str,
    effective_on: date,
    *,
    step_back: bool,
) -> Override:
    """The hip precaution override moving ``item`` to ``rung`` needs from ``effective_on``
    (``checked_override``); a ``step_back`` is never refused and goes without one."""
    try:
        return checked_override(
            patient=patient, exercise=rung.exercise, override=precaution_override,
            on=effective_on, covered=item.precaution_override_covers,
        )  # fmt: skip
    except ValidationError:
        if not step_back:
            raise
        return Override()


def _item_to_level(
    item: ProgramItem, from_level: int, rung: LadderLevel, effective_on: date, override: Override
) -> ProgramItem:
    """The track's row, saved at ``rung``'s level from ``effective_on``: with the new level's
    usual dose when it has another (``_with_dose``), and ``override``'s reason when given."""
    assert item.ladder_id is not None  # set_level moves ladder items only
    # The dose on the row is its own level's: one already changed from tomorrow (a same-day
    # correction) has that level's dose, not the dose of ``from_level``, the level of today.
    leaving = level_exercise(item.ladder_id, item.current_level or from_level)
    new_dose = dose_at_new_level(leaving=leaving, entering=rung.exercise)
    if new_dose is not None and new_dose != {name: getattr(item, name) for name in new_dose}:
        item = _with_dose(item, new_dose, effective_on)
    item.previous_level, item.current_level = from_level, rung.level
    item.level_since = effective_on
    fields = ["previous_level", "current_level", "level_since"]
    if override.reason:
        # What the earlier levels' days were covered for stays covered.
        item.precaution_override = override.reason
        item.precaution_override_covers = override.covers
        fields += ["precaution_override", "precaution_override_covers"]
    item.save(update_fields=fields)
    return item


def _audit_override(
    changed_by: User | None,
    patient: Patient,
    item: ProgramItem,
    rung: LadderLevel,
    request: HttpRequest | None,
) -> None:
    audit_record(
        actor=changed_by, action=Action.CHANGE, patient=patient, target=item,
        # The typed reason stays on the item (erased with the patient), not in the trail.
        detail=f"hip precautions overridden for {rung.exercise.name} (level {rung.level}); "
        "reason kept on the item",
        request=request,
    )  # fmt: skip
