"""Progression along a ladder: the rule that raises a prompt, and the therapist's decisions.

The rule (see DESIGN.md): one set at the item's current ladder level reaches the ladder's
``advance_at_reps`` (for a per-side item: a left and a right set, the same day) and no pain
above the clinic's ``pain_progression_limit`` was logged that day. Then one prompt per
(patient, track, level, stay at that level) exists: the database makes it unique, so
evaluating twice, or two logs meeting the rule, never makes a second one, while a patient
moved back to a level and meeting its rule again raises a new one.

Approving advances the level from the patient's next local day and writes a ``LevelChange``
whose ``reason`` the patient sees. Nothing here sends messages: callers do (notifications).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.exercises.models import AdvanceRule, Exercise, LadderLevel
from apps.patients.models import Patient, Side
from apps.patients.selectors import precautions_in_force
from apps.patients.services import patient_row_lock
from apps.programs.concerns import PromptConcerns, concerns_for
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import Dose, dose_at_new_level, hold_top
from apps.programs.models import (
    FIRST_STAY,
    LevelChange,
    MorningCheck,
    ProgramItem,
    ProgressionPrompt,
    PromptStatus,
    SetLog,
)
from apps.programs.precautions import Override, checked_override, conflicts
from apps.programs.rows import item_has_history, item_restart

if TYPE_CHECKING:
    from apps.clinics.models import User

OPEN_STATUSES = (PromptStatus.PENDING, PromptStatus.SNOOZED)
REASON_MAX = 300
DECLINE_REASON_MAX = 500


def progression_rule_met(*, log: SetLog) -> bool:
    """Whether this committed log (with the patient's other logs) meets its ladder level's
    advance rule: reps or seconds held in one set (a left and a right set the same day for a
    per-side item), on the level's number of separate days. Pain is not part of it: pain
    holds a prompt back instead (``prompt_holds_refresh``), so the result never depends on
    when the log is evaluated."""
    item = log.item
    if item.ladder is None or log.ladder_level is None:
        return False
    if item.level_on(log.performed_on) != log.ladder_level:
        return False  # logged against a level no longer in force that day
    rule = level_rule(ladder_id=item.ladder.pk, level=log.ladder_level)
    if rule is None:
        return False
    done = log.reps if rule.advance_rule == AdvanceRule.REPS else log.hold_seconds
    if done is None or done < rule.target_for(item.ladder, hold_top(item)):
        return False
    days = qualifying_days(log=log, rule=rule)
    return bool(days) and days[-1] == log.performed_on and len(days) >= rule.advance_days


def level_rule(*, ladder_id: int, level: int) -> LadderLevel | None:
    return LadderLevel.objects.filter(ladder_id=ladder_id, level=level).first()


def level_entered_on(*, track: UUID, patient_id: int, level: int, day: date) -> date:
    """The first day of the stay at ``level`` that ``day`` belongs to: the start of the
    latest level change into it on or before ``day``, else ``FIRST_STAY``. One query."""
    entered = (
        LevelChange.objects.filter(
            item__track=track,
            item__program__patient_id=patient_id,
            to_level=level,
            effective_on__lte=day,
        )
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    return entered or FIRST_STAY


def _entered_on(log: SetLog) -> date:
    assert log.ladder_level is not None
    return level_entered_on(
        track=log.item.track, patient_id=log.patient_id, level=log.ladder_level,
        day=log.performed_on,
    )  # fmt: skip


def qualifying_days(*, log: SetLog, rule: LadderLevel) -> list[date]:
    """The days of this stay at the log's level, up to the log's, on which the rule was met
    (both sides the same day for a per-side item), oldest first. Two queries."""
    assert log.item.ladder is not None
    field = "reps" if rule.advance_rule == AdvanceRule.REPS else "hold_seconds"
    target = rule.target_for(log.item.ladder, hold_top(log.item))
    rows = (
        SetLog.objects.filter(
            patient_id=log.patient_id,
            item__track=log.item.track,
            ladder_level=log.ladder_level,
            performed_on__gte=_entered_on(log),
            performed_on__lte=log.performed_on,
            **{f"{field}__gte": target},
        )
        .values("performed_on")
        .annotate(
            left=Count("pk", filter=Q(side=Side.LEFT)),
            right=Count("pk", filter=Q(side=Side.RIGHT)),
        )
        .order_by("performed_on")
    )
    per_side = log.target_per_side  # the prescription copied onto the log when it was done
    return [r["performed_on"] for r in rows if not per_side or (r["left"] and r["right"])]


def day_hold(*, patient_id: int, day: date, limit: int) -> SetLog | None:
    """The set that holds back a prompt qualified on ``day``: the highest pain above
    ``limit`` logged that day (the earliest such set among equals), or None.

    A function of the day's committed logs only, so every evaluation order agrees on it."""
    return (
        SetLog.objects.filter(patient_id=patient_id, performed_on=day, pain__gt=limit)
        .order_by("-pain", "logged_at", "pk")
        .first()
    )


def next_level_of(*, ladder_id: int, level: int) -> int | None:
    """The level after ``level``, or None at the top of the ladder."""
    exists = LadderLevel.objects.filter(ladder_id=ladder_id, level=level + 1).exists()
    return level + 1 if exists else None


def prompt_for_log(*, log: SetLog) -> tuple[ProgressionPrompt | None, bool]:
    """The prompt this log raises and whether it is new: ``(None, False)`` when the rule is
    not met, ``(existing, False)`` when the patient already had one for this track and level.

    Runs in the caller's transaction; a concurrent evaluation that inserts the same prompt
    first makes this one find it (the unique constraint decides, not a prior SELECT).
    """
    if not progression_rule_met(log=log):
        return None, False
    level = log.ladder_level
    assert level is not None  # checked by the rule
    existing = _existing_prompt(log=log, level=level)
    if existing is not None:
        return existing, False
    # A "worse" next-morning answer being recorded at this moment is seen, or sees this
    # prompt (``patient_row_lock``), and so is an exercise being removed, a program ended or
    # the patient archived. Pain logs need no lock: they commit before evaluation.
    archived_at = patient_row_lock(patient_id=log.patient_id)
    hold = day_hold(
        patient_id=log.patient_id,
        day=log.performed_on,
        limit=log.patient.clinic.pain_progression_limit,
    )
    worse = _worse_morning(patient_id=log.patient_id, day=log.performed_on)
    try:
        with transaction.atomic():
            prompt = _create_prompt(
                log=log, level=level, hold=hold, worse=worse,
                closed=_closed_on_arrival(log=log, archived=archived_at is not None),
            )  # fmt: skip
    except IntegrityError:
        return _existing_prompt(log=log, level=level), False
    if prompt.status == PromptStatus.AUTO_APPROVED:
        _advance(prompt=prompt, changed_by=None, reason=default_reason(prompt=prompt))
    return prompt, True


def prompt_holds_refresh(*, log: SetLog) -> list[ProgressionPrompt]:
    """Hold back the patient's prompts qualified on this log's day when the log's pain is
    above the clinic's hold-back level; returns the prompts whose hold changed.

    The hold is recomputed from the day's logs (``day_hold``), so a prompt raised by morning
    sets ends up held back by an afternoon pain whichever of the two is evaluated first. An
    automatic advance it answered is undone (the patient waits for the therapist instead)."""
    limit = log.patient.clinic.pain_progression_limit
    if log.pain <= limit:
        return []
    # The patient's row before the prompts', as the closing of prompts takes them (an
    # exercise removed, a program ended, a patient archived: ``prompts_withdraw``). Holding
    # the prompts, then writing the patient's row (taking back an advance refreshes the day
    # totals) would deadlock with a close holding the row and waiting for the prompts.
    patient_row_lock(patient_id=log.patient_id)
    hold = day_hold(patient_id=log.patient_id, day=log.performed_on, limit=limit)
    assert hold is not None  # this log itself is one
    prompts = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        patient_id=log.patient_id, qualified_on=log.performed_on
    )
    changed = []
    for prompt in prompts.select_related("patient", "item"):
        if prompt.held_back_log_id == hold.pk:
            continue
        _hold(prompt=prompt, hold=hold)
        changed.append(prompt)
    return changed


def _hold(*, prompt: ProgressionPrompt, hold: SetLog) -> None:
    prompt.held_back_pain, prompt.held_back_log = hold.pain, hold
    fields = ["held_back_pain", "held_back_log"]
    if prompt.status == PromptStatus.AUTO_APPROVED:
        _undo_auto_advance(
            prompt=prompt,
            reason=(
                f"Back to level {prompt.level}: pain {hold.pain} out of 10 was logged on the "
                "day of the sets that moved you up. Your therapist will decide when to move on."
            ),
        )
        prompt.status, prompt.decided_at = PromptStatus.PENDING, None
        fields += ["status", "decided_at"]
    prompt.save(update_fields=fields)


def auto_advances_undo_for_morning(*, check: MorningCheck) -> list[ProgressionPrompt]:
    """Take back the automatic advances a "worse" next-morning answer is about: prompts
    qualified on the exercise day it asks about, or on its own day (sets done before the
    answer), go back to the therapist, held back by the answer, as pain does. The patient,
    told to go lighter today, is not moved up the same morning. Returns those prompts."""
    if not check.is_worse:
        return []
    prompts = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        patient_id=check.patient_id,
        status=PromptStatus.AUTO_APPROVED,
        qualified_on__gte=check.exercise_day,
        qualified_on__lte=check.local_date,
    )
    undone = []
    for prompt in prompts.select_related("patient", "item").order_by("pk"):
        _undo_auto_advance(
            prompt=prompt,
            reason=(
                f"Back to level {prompt.level}: your hip was worse this morning than before "
                "the exercises that moved you up. Your therapist will decide when to move on."
            ),
        )
        prompt.status, prompt.decided_at, prompt.held_back_check = (
            PromptStatus.PENDING, None, check,
        )  # fmt: skip
        prompt.save(update_fields=["status", "decided_at", "held_back_check"])
        undone.append(prompt)
    return undone


def _undo_auto_advance(*, prompt: ProgressionPrompt, reason: str) -> None:
    """Take back the level an automatic advance gave. Until the end of the day the new level
    starts on, the advance is erased (the patient is back on the old level today: sets done
    at the new one that day count for nothing); later, a step back is recorded from the
    patient's next day."""
    item = _item_in_force(prompt)
    if item.current_level != prompt.next_level:
        return  # the level changed since (by hand): leave it to the therapist
    change = prompt.level_changes.filter(changed_by__isnull=True).order_by("-pk").first()
    today = prompt.patient.local_today()
    if change is not None and change.effective_on >= today:
        prior = (
            LevelChange.objects.filter(
                item__track=prompt.track, item__program__patient_id=prompt.patient_id
            )
            .filter(to_level=prompt.level)
            .exclude(pk=change.pk)
            .order_by("-effective_on", "-pk")
            .first()
        )
        item.previous_level = prior.from_level if prior else None
        item.level_since = prior.effective_on if prior else None
        item.current_level = prompt.level
        item.save(update_fields=["previous_level", "current_level", "level_since"])
        change.delete()
        # A level's exercise can be held back by hip precautions: what the days prescribe
        # may have changed with it.
        daily_totals_refresh_patient(patient_id=prompt.patient_id)
        return
    _set_level(item=item, to_level=prompt.level, changed_by=None, reason=reason, step_back=True)


def _level_exercise(ladder_id: int, level: int) -> Exercise | None:
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


def _existing_prompt(*, log: SetLog, level: int) -> ProgressionPrompt | None:
    return ProgressionPrompt.objects.filter(
        patient_id=log.patient_id, track=log.item.track, level=level,
        level_entered_on=_entered_on(log),
    ).first()  # fmt: skip


def _worse_morning(*, patient_id: int, day: date) -> MorningCheck | None:
    """A "worse" next-morning answer given on ``day`` (sets done later that day: the patient
    was told to go lighter that day) or about ``day`` (given the morning after): either
    holds back the prompt ``day``'s sets raise. A log evaluated after such an answer (the
    worker was down) raises its prompt held back, as one evaluated before it ends up
    (``auto_advances_undo_for_morning``, ``morning.prompts_hold_for_morning``)."""
    checks = MorningCheck.objects.filter(patient_id=patient_id).filter(
        Q(local_date=day) | Q(exercise_day=day)
    )
    return next((check for check in checks.order_by("local_date") if check.is_worse), None)


def _closed_on_arrival(*, log: SetLog, archived: bool) -> str:
    """Why a prompt these sets raise is closed as it is raised (empty: it is not): sets
    evaluated after their exercise was removed, its program ended or the patient archived
    (the phone synced late, the worker was down) end as they would have, had they been
    evaluated in time (``prompts_withdraw``). One query."""
    if archived:
        return CLOSED_ARCHIVED
    track = log.item.track
    if track not in _tracks_going_on(patients={log.patient_id: log.patient}, tracks={track}):
        return CLOSED_LATE
    return ""


def _create_prompt(
    *,
    log: SetLog,
    level: int,
    hold: SetLog | None,
    worse: MorningCheck | None,
    closed: str = "",
) -> ProgressionPrompt:
    item = log.item
    assert item.ladder_id is not None
    next_level = next_level_of(ladder_id=item.ladder_id, level=level)
    status = PromptStatus.PENDING
    if next_level is None:
        status = PromptStatus.COMPLETE
    elif closed:
        status = PromptStatus.WITHDRAWN  # nothing to raise, nothing to advance automatically
    elif (
        item.auto_advance
        and hold is None
        and worse is None
        and _still_on(item=item, patient_id=log.patient_id, level=level)
        and not _next_level_conflicts(item=item, level=next_level)
        and not _next_level_changes_dose(item=item, level=level, next_level=next_level)
    ):  # held back, a level changed by hand since, a level the hip precautions rule out, or
        # one with another dose: the therapist decides (and sees the new dose on the prompt)
        status = PromptStatus.AUTO_APPROVED
    decided = status != PromptStatus.PENDING
    return ProgressionPrompt.objects.create(
        patient_id=log.patient_id,
        item=item,
        track=item.track,
        level=level,
        level_entered_on=_entered_on(log),
        next_level=next_level,
        triggered_by=log,
        status=status,
        decided_at=timezone.now() if decided else None,
        decision_reason=closed if status == PromptStatus.WITHDRAWN else "",
        qualified_on=log.performed_on,
        rule_met=_rule_met_text(log=log, level=level),
        held_back_pain=hold.pain if hold else None,
        held_back_log=hold,
        held_back_check=worse,
    )


def _still_on(*, item: ProgramItem, patient_id: int, level: int) -> bool:
    """Whether the track's row in force is still on ``level``. A level changed by hand since
    the qualifying sets (sets done the day before the change starts, or evaluated late)
    leaves nothing to advance automatically: ``_advance`` would refuse, and the refusal
    would fail the whole evaluation (its pain alert, the rest of a batch) on every retry."""
    in_force = (
        _track_rows(track=item.track, patient_id=patient_id)
        .values_list("current_level", flat=True)
        .first()
    )
    return in_force == level


def _next_level_changes_dose(*, item: ProgramItem, level: int, next_level: int) -> bool:
    assert item.ladder_id is not None
    entering = _level_exercise(item.ladder_id, next_level)
    if entering is None:
        return False
    leaving = _level_exercise(item.ladder_id, level)
    return dose_at_new_level(leaving=leaving, entering=entering) is not None


def _next_level_conflicts(*, item: ProgramItem, level: int) -> bool:
    """Whether the exercise at ``level`` runs into the patient's hip precautions on the day
    a level change would start (their next day)."""
    patient = item.program.patient
    if patient is None or item.ladder_id is None:
        return False
    exercise = _level_exercise(item.ladder_id, level)
    if exercise is None:
        return False
    on = patient.local_today() + timedelta(days=1)
    return bool(conflicts(exercise, precautions_in_force(patient=patient, on=on)))


def _rule_met_text(*, log: SetLog, level: int) -> str:
    """Which rule was met and on which days, e.g. "20 reps in one set on each side, on 2
    separate days: Mon 1 Dec, Wed 3 Dec"."""
    item = log.item
    assert item.ladder is not None
    rule = level_rule(ladder_id=item.ladder.pk, level=level)
    assert rule is not None
    days = qualifying_days(log=log, rule=rule)[-rule.advance_days :]
    when = ", ".join(day.strftime("%a %-d %b") for day in days)
    text = rule.rule_text(item.ladder, log.target_per_side, hold_top(item))
    return f"{text}: {when}"[:200]


def default_reason(*, prompt: ProgressionPrompt, approved_anyway: bool = False) -> str:
    """The note the patient sees when nobody wrote one. ``approved_anyway``: the therapist
    approved past pain above the hold-back level or a "worse" morning answer, so the note
    must not tell the patient the level went without too much pain (CLINICAL.md)."""
    done = prompt.rule_met.split(":")[0] if prompt.rule_met else "the goal"
    if approved_anyway:
        return (
            f"You reached {done} at level {prompt.level}. Your therapist has looked at how "
            f"your hip has been since then and is moving you on to level {prompt.next_level}."
        )
    return (
        f"You reached {done} at level {prompt.level} without too much pain, "
        f"so you are ready for level {prompt.next_level}."
    )


def _track_rows(*, track: UUID, patient_id: int) -> QuerySet[ProgramItem]:
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
    return _tracks_going_on(patients=patients, tracks={p.track for p in prompts})


def _tracks_going_on(*, patients: dict[int, Patient], tracks: set[UUID]) -> set[UUID]:
    if not tracks:
        return set()
    tomorrow = {pk: patient.local_today() + timedelta(days=1) for pk, patient in patients.items()}
    going_on = Q()
    for patient_id, day in tomorrow.items():
        going_on |= (
            Q(program__patient_id=patient_id)
            & (Q(active_until__isnull=True) | Q(active_until__gte=day))
            & (Q(program__end_date__isnull=True) | Q(program__end_date__gte=day))
        )
    rows = ProgramItem.objects.filter(going_on, track__in=tracks, program__is_active=True)
    return set(rows.values_list("track", flat=True))


NOT_IN_PROGRAM = (
    "This exercise is no longer in the patient's program (removed, or its program ended): "
    "there is no level to raise. Decline the prompt to close it."
)

# Why the app closed a prompt (``PromptStatus.WITHDRAWN``), kept as its ``decision_reason``.
CLOSED_REMOVED = "The exercise was removed from the patient's program."
CLOSED_ENDED = "The patient's program ended."
CLOSED_ARCHIVED = "The patient was archived (discharged)."
CLOSED_LATE = "The exercise was no longer in the patient's program when these sets were checked."


def prompts_withdraw(
    *,
    patient_id: int,
    reason: str,
    actor: User | None,
    tracks: Collection[UUID] | None = None,
    request: HttpRequest | None = None,
) -> list[ProgressionPrompt]:
    """Close the patient's open (pending or snoozed) prompts that have nothing left to raise:
    of ``tracks``, those whose exercise the patient is no longer given from their next day
    (``tracks_going_on``: a dose edit or new weekdays carry a track on, and its prompt with
    it); every open one when ``tracks`` is None (the patient archived). Each is marked
    ``WITHDRAWN`` with ``reason``, by ``actor`` (whose change closed it), and audited as a
    decision is; nobody is emailed. Returns the prompts closed.

    Call it in the transaction of the change, after it, having taken the patient's row lock
    (``patient_row_lock``) before anything else, as ``prompt_approve`` does: an approval
    either commits first (and is kept: it was decided before the change) or waits and then
    finds the prompt closed."""
    found = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        patient_id=patient_id, status__in=OPEN_STATUSES
    )
    if tracks is not None:
        found = found.filter(track__in=list(tracks))
    prompts = list(found.select_related("patient", "item__ladder").order_by("pk"))
    if tracks is not None:
        going_on = tracks_going_on(prompts=prompts)
        prompts = [p for p in prompts if p.track not in going_on]
    if not prompts:
        return []
    now = timezone.now()
    ProgressionPrompt.objects.filter(pk__in=[p.pk for p in prompts]).update(
        status=PromptStatus.WITHDRAWN, decision_reason=reason, decided_by=actor, decided_at=now
    )
    for prompt in prompts:
        prompt.status, prompt.decision_reason = PromptStatus.WITHDRAWN, reason
        prompt.decided_by, prompt.decided_at = actor, now
        audit_record(
            actor=actor, action=Action.CHANGE, patient=prompt.patient, target=prompt,
            detail=f"closed: {reason}", request=request,
        )  # fmt: skip
    return prompts


def _item_in_force(prompt: ProgressionPrompt) -> ProgramItem:
    """The row of the prompt's track in force now (a dose edit may have replaced the prompt's
    own row), locked so two approvals cannot both advance it."""
    item = _track_rows(track=prompt.track, patient_id=prompt.patient_id).select_for_update().first()
    if item is None:
        raise ValidationError({"item": "This exercise is no longer in the patient's program."})
    return item


def _advance(
    *,
    prompt: ProgressionPrompt,
    changed_by: User | None,
    reason: str,
    precaution_override: str = "",
    request: HttpRequest | None = None,
) -> LevelChange:
    item = _item_in_force(prompt)
    if item.current_level != prompt.level or prompt.next_level is None:
        raise ValidationError(
            {"level": "The level changed since this prompt was raised; nothing was advanced."}
        )
    return _set_level(
        item=item, to_level=prompt.next_level, changed_by=changed_by, reason=reason,
        prompt=prompt, precaution_override=precaution_override, request=request,
    )  # fmt: skip


def _set_level(
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
    """Move the (locked) item in force to ``to_level`` from the patient's next local day and
    record the change with the reason the patient is shown.

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
    """
    patient = item.program.patient
    assert patient is not None  # ladder items with levels belong to assigned programs
    assert item.ladder_id is not None  # only a ladder item has levels
    today = patient.local_today()
    effective_on = today + timedelta(days=1)
    # The level in force today, not one already changed from tomorrow: a second change made
    # the same day replaces that one, and today's level stays what the patient is doing.
    from_level = item.level_on(today)
    assert from_level is not None
    rung = LadderLevel.objects.select_related("exercise").get(
        ladder_id=item.ladder_id, level=to_level
    )
    try:
        override = checked_override(
            patient=patient, exercise=rung.exercise, override=precaution_override,
            on=effective_on, covered=item.precaution_override_covers,
        )  # fmt: skip
    except ValidationError:
        if not step_back:
            raise
        override = Override()
    new_dose = dose_at_new_level(
        leaving=_level_exercise(item.ladder_id, from_level), entering=rung.exercise
    )
    if new_dose is not None and new_dose != {name: getattr(item, name) for name in new_dose}:
        item = _with_dose(item, new_dose, effective_on)
    item.previous_level, item.current_level = from_level, to_level
    item.level_since = effective_on
    fields = ["previous_level", "current_level", "level_since"]
    if override.reason:
        # What the earlier levels' days were covered for stays covered.
        item.precaution_override = override.reason
        item.precaution_override_covers = override.covers
        fields += ["precaution_override", "precaution_override_covers"]
    item.save(update_fields=fields)
    # A level's exercise can be held back by hip precautions: what the days prescribe may
    # have changed with it.
    daily_totals_refresh_patient(patient_id=patient.pk)
    if override.reason:
        audit_record(
            actor=changed_by, action=Action.CHANGE, patient=patient, target=item,
            # The typed reason stays on the item (erased with the patient), not in the trail.
            detail=f"hip precautions overridden for {rung.exercise.name} (level {to_level}); "
            "reason kept on the item",
            request=request,
        )  # fmt: skip
    return LevelChange.objects.create(
        item=item,
        from_level=from_level,
        to_level=to_level,
        effective_on=effective_on,
        reason=reason[:REASON_MAX],
        changed_by=changed_by,
        prompt=prompt,
    )


def _claim(
    *,
    prompt: ProgressionPrompt,
    user: User,
    request: HttpRequest | None,
    detail: str = "",
    **changes: object,
) -> None:
    """Move an open prompt to a decision with a conditional UPDATE: of two simultaneous
    decisions only one wins; the other gets a message instead of a second level change.
    The audit entry is written in the caller's transaction, so it exists iff the change does."""
    done = ProgressionPrompt.objects.filter(pk=prompt.pk, status__in=OPEN_STATUSES).update(
        decided_by=user, decided_at=timezone.now(), **changes
    )
    if not done:
        prompt.refresh_from_db(fields=["status", "decision_reason"])
        raise ValidationError({"status": _answered(prompt)})
    prompt.refresh_from_db()
    audit_record(
        actor=user,
        action=Action.CHANGE,
        patient=prompt.patient,
        target=prompt,
        detail=detail,
        request=request,
    )


def _answered(prompt: ProgressionPrompt) -> str:
    """Why a prompt (its status read as it is now) can no longer be decided."""
    if prompt.status == PromptStatus.WITHDRAWN:
        return f"This prompt was closed: {prompt.decision_reason}"
    return "This prompt has already been answered."


@transaction.atomic
def prompt_approve(
    *,
    prompt: ProgressionPrompt,
    user: User,
    note: str = "",
    override_reason: str = "",
    precaution_override: str = "",
    request: HttpRequest | None = None,
) -> LevelChange:
    """Approve: the level goes up from the patient's next local day; ``note`` (or a default
    sentence) is the reason the patient is shown.

    A next level whose exercise the patient's hip precautions rule out needs
    ``precaution_override`` (kept on the item and audited), as the builder does.

    When the prompt is held back, or pain above the hold-back level, pain at the alert level
    or a "worse" next-morning answer came since its qualifying sets, approving needs
    ``override_reason`` ("approve anyway"), kept with the prompt."""
    note, override_reason = note.strip(), override_reason.strip()
    if len(note) > REASON_MAX:
        raise ValidationError({"note": f"Keep the note to {REASON_MAX} characters or fewer."})
    if len(override_reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"override_reason": f"Keep the reason to {DECLINE_REASON_MAX} characters or fewer."}
        )
    if prompt.next_level is None:
        raise ValidationError({"status": "This ladder is complete: there is no next level."})
    # Before reading the program: removing the exercise, ending the program or archiving
    # the patient takes this lock first too, and closes the prompt (``prompts_withdraw``).
    patient_row_lock(patient_id=prompt.patient_id)
    prompt.refresh_from_db(fields=["status", "decision_reason"])
    if prompt.status not in OPEN_STATUSES:
        raise ValidationError({"status": _answered(prompt)})
    if prompt.track not in tracks_going_on(prompts=[prompt]):
        # The row found would be the ended one: "approved" would change a level nobody is given.
        raise ValidationError({"item": NOT_IN_PROGRAM})
    concerns = concerns_for([prompt])[prompt.pk]
    if concerns.needs_override and not override_reason:
        raise ValidationError({"override_reason": _override_needed(concerns)})
    override_reason = override_reason if concerns.needs_override else ""
    _claim(
        prompt=prompt,
        user=user,
        request=request,
        # The reason describes the patient's pain: it is kept with the prompt (erased with
        # the patient); the append-only trail records only that one was given.
        detail="approved anyway (reason kept with the prompt)" if override_reason else "",
        status=PromptStatus.APPROVED,
        decision_reason=note,
        override_reason=override_reason,
    )
    reason = note or default_reason(prompt=prompt, approved_anyway=bool(override_reason))
    return _advance(
        prompt=prompt, changed_by=user, reason=reason,
        precaution_override=precaution_override, request=request,
    )  # fmt: skip


def _override_needed(concerns: PromptConcerns) -> str:
    said = []
    if concerns.highest_pain is not None:
        said.append(f"pain up to {concerns.highest_pain} out of 10")
    if concerns.worse_mornings:
        said.append('a "worse" next-morning answer')
    what = " and ".join(said) or "pain above your clinic's hold-back level"
    return (
        f"Since the qualifying sets the patient reported {what}. "
        "To approve anyway, give your reason."
    )


@transaction.atomic
def prompt_decline(
    *, prompt: ProgressionPrompt, user: User, reason: str, request: HttpRequest | None = None
) -> ProgressionPrompt:
    """Decline and keep the level; the reason is required and kept with the prompt."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are keeping the patient at this level."})
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {DECLINE_REASON_MAX} characters or fewer."}
        )
    _claim(
        prompt=prompt,
        user=user,
        request=request,
        status=PromptStatus.DECLINED,
        decision_reason=reason,
    )
    return prompt


@transaction.atomic
def prompt_snooze(
    *, prompt: ProgressionPrompt, user: User, until: date, request: HttpRequest | None = None
) -> ProgressionPrompt:
    """Put the prompt aside until a later patient-local date; it is open again from then."""
    today = prompt.patient.local_today()
    if until <= today:
        raise ValidationError({"until": "Choose a date after today."})
    if until > today + timedelta(days=365):
        raise ValidationError({"until": "Choose a date within a year."})
    _claim(
        prompt=prompt, user=user, request=request, status=PromptStatus.SNOOZED, snoozed_until=until
    )
    return prompt


@transaction.atomic
def item_level_set(
    *,
    item: ProgramItem,
    user: User,
    level: int,
    reason: str,
    precaution_override: str = "",
    request: HttpRequest | None = None,
) -> LevelChange:
    """A therapist moves a ladder item to ``level`` by hand (up, or back after a flare-up)
    from the patient's next local day; ``reason`` is required and shown to the patient. A
    level the patient's hip precautions rule out needs ``precaution_override``. The audit
    entries are written in the same transaction."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    if item.ladder_id is None:
        errors["level"] = "Only a ladder item has levels."
    elif not LadderLevel.objects.filter(ladder_id=item.ladder_id, level=level).exists():
        top = LadderLevel.objects.filter(ladder_id=item.ladder_id).count()
        errors["level"] = f"Choose a level from 1 to {top} of this ladder."
    if not reason:
        errors["reason"] = "Say why: the patient sees this reason."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Keep the reason to {REASON_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
    # The patient's lock first, as approving a prompt takes it: an approval holding the
    # audit log while it waits for this track's row would otherwise wait on us as we wait
    # on it.
    if item.program.patient_id is not None:
        patient_row_lock(patient_id=item.program.patient_id)
    in_force = (
        ProgramItem.objects.select_for_update()
        .filter(track=item.track, program_id=item.program_id)
        .order_by(F("active_until").desc(nulls_first=True), "-pk")
        .first()
    )
    assert in_force is not None  # the item itself is of this track
    if in_force.current_level == level:
        raise ValidationError({"level": f"The patient is already on level {level}."})
    change = _set_level(
        item=in_force, to_level=level, changed_by=user, reason=reason,
        precaution_override=precaution_override, request=request,
    )  # fmt: skip
    audit_record(
        actor=user,
        action=Action.CHANGE,
        patient=item.program.patient,
        target=item,
        # The reason the patient is shown stays on the level change, not in the trail.
        detail=f"level {change.from_level} to {change.to_level} (reason kept with the change)",
        request=request,
    )
    return change
