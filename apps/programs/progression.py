"""Progression along a ladder: the prompt a set meeting its level's rule raises.

The rule (see DESIGN.md): one set at the item's current ladder level reaches the ladder's
``advance_at_reps`` (for a per-side item: a left and a right set, the same day), on the
level's number of separate days, and no pain above the clinic's ``pain_progression_limit``
was logged from the first of those days to the last (its hold window). Then one prompt per
(patient, track, level, stay at that level) exists: the database makes it unique, so
evaluating twice, or two logs meeting the rule, never makes a second one, while a patient
moved back to a level and meeting its rule again raises a new one.

The rule and the days that meet it are in ``progression_rule``. Pain above that limit, a
"worse" next-morning answer or the qualifying sets corrected below the rule hold a prompt
back for the therapist and take back an automatic advance it answered (``prompt_holds``).
The therapist's decisions are in ``prompt_decisions``; the level changes both make are in
``levels``. Nothing here sends messages: callers do (notifications).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.exercises.models import LadderLevel
from apps.patients.selectors import precautions_in_force
from apps.patients.services import patient_row_lock
from apps.programs.doses import dose_at_new_level, hold_top
from apps.programs.duplicates import doubled
from apps.programs.levels import advance, level_exercise, track_rows, tracks_going_on_for
from apps.programs.models import MorningCheck, ProgramItem, ProgressionPrompt, PromptStatus, SetLog
from apps.programs.precautions import conflicts
from apps.programs.progression_rule import (
    counted_days,
    level_rule,
    progression_rule_met,
    stay_entered_on,
    window_hold,
)
from apps.programs.prompt_decisions import CLOSED_ARCHIVED, CLOSED_LATE, default_reason
from apps.programs.prompt_holds import prompt_rule_refresh, worse_morning


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
        # Held back since its sets were corrected below the rule or deleted: met again, it
        # stands again, counted from the new days.
        prompt_rule_refresh(log=log)
        return existing, False
    # A "worse" next-morning answer being recorded at this moment is seen, or sees this
    # prompt (``patient_row_lock``), and so is an exercise being removed, a program ended or
    # the patient archived. Pain logs need no lock: they commit before evaluation.
    archived_at = patient_row_lock(patient_id=log.patient_id)
    counted = counted_days(log=log, level=level)
    hold = window_hold(
        patient_id=log.patient_id,
        start=counted[0],
        end=counted[-1],
        limit=log.patient.clinic.pain_progression_limit,
    )
    worse = worse_morning(patient_id=log.patient_id, start=counted[0])
    try:
        with transaction.atomic():
            prompt = _create_prompt(
                log=log, level=level, counted=counted, hold=hold, worse=worse,
                closed=_closed_on_arrival(log=log, archived=archived_at is not None),
            )  # fmt: skip
    except IntegrityError:
        existing = _existing_prompt(log=log, level=level)
        if existing is not None:
            prompt_rule_refresh(log=log)
        return existing, False
    if prompt.status == PromptStatus.AUTO_APPROVED:
        advance(prompt=prompt, changed_by=None, reason=default_reason(prompt=prompt))
    return prompt, True


def _existing_prompt(*, log: SetLog, level: int) -> ProgressionPrompt | None:
    return ProgressionPrompt.objects.filter(
        patient_id=log.patient_id, track=log.item.track, level=level,
        level_entered_on=stay_entered_on(log),
    ).first()  # fmt: skip


def _closed_on_arrival(*, log: SetLog, archived: bool) -> str:
    """Why a prompt these sets raise is closed as it is raised (empty: it is not): sets
    evaluated after their exercise was removed, its program ended or the patient archived
    (the phone synced late, the worker was down) end as they would have, had they been
    evaluated in time (``prompt_decisions.prompts_withdraw``). One query."""
    if archived:
        return CLOSED_ARCHIVED
    track = log.item.track
    if track not in tracks_going_on_for(patients={log.patient_id: log.patient}, tracks={track}):
        return CLOSED_LATE
    return ""


def _create_prompt(
    *,
    log: SetLog,
    level: int,
    counted: list[date],
    hold: SetLog | None,
    worse: MorningCheck | None,
    closed: str = "",
) -> ProgressionPrompt:
    item = log.item
    assert item.ladder_id is not None
    next_level = next_level_of(ladder_id=item.ladder_id, level=level)
    status = _prompt_status(
        log=log, level=level, next_level=next_level, hold=hold, worse=worse, closed=closed
    )
    decided = status != PromptStatus.PENDING
    return ProgressionPrompt.objects.create(
        patient_id=log.patient_id,
        item=item,
        track=item.track,
        level=level,
        level_entered_on=stay_entered_on(log),
        next_level=next_level,
        triggered_by=log,
        status=status,
        decided_at=timezone.now() if decided else None,
        decision_reason=closed if status == PromptStatus.WITHDRAWN else "",
        qualified_on=counted[-1],
        counted_from=counted[0],
        rule_met=_rule_met_text(log=log, level=level, counted=counted),
        held_back_pain=hold.pain if hold else None,
        held_back_log=hold,
        held_back_check=worse,
    )


def _prompt_status(
    *,
    log: SetLog,
    level: int,
    next_level: int | None,
    hold: SetLog | None,
    worse: MorningCheck | None,
    closed: str,
) -> PromptStatus:
    """The status a prompt raised by ``log`` at ``level`` starts with: complete at the top
    of the ladder, withdrawn when ``closed``, approved by the app when the item advances on
    its own and nothing holds it back, else pending for the therapist."""
    item = log.item
    if next_level is None:
        return PromptStatus.COMPLETE
    if closed:
        return PromptStatus.WITHDRAWN  # nothing to raise, nothing to advance automatically
    if (
        item.auto_advance
        and hold is None
        and worse is None
        and _still_on(item=item, patient_id=log.patient_id, level=level)
        and not _next_level_conflicts(item=item, level=next_level)
        and not _next_level_changes_dose(item=item, level=level, next_level=next_level)
        and not _next_level_doubled(item=item, level=next_level)
    ):  # held back, a level changed by hand since, a level the hip precautions rule out, one
        # with another dose, or one the patient already does elsewhere: the therapist decides
        # (and sees the new dose on the prompt; approving asks about the other)
        return PromptStatus.AUTO_APPROVED
    return PromptStatus.PENDING


def _still_on(*, item: ProgramItem, patient_id: int, level: int) -> bool:
    """Whether the track's row in force is still on ``level``. A level changed by hand since
    the qualifying sets (sets done the day before the change starts, or evaluated late)
    leaves nothing to advance automatically: ``levels.advance`` would refuse, and the refusal
    would fail the whole evaluation (its pain alert, the rest of a batch) on every retry."""
    in_force = (
        track_rows(track=item.track, patient_id=patient_id)
        .values_list("current_level", flat=True)
        .first()
    )
    return in_force == level


def _next_level_changes_dose(*, item: ProgramItem, level: int, next_level: int) -> bool:
    assert item.ladder_id is not None
    entering = level_exercise(item.ladder_id, next_level)
    if entering is None:
        return False
    leaving = level_exercise(item.ladder_id, level)
    return dose_at_new_level(leaving=leaving, entering=entering) is not None


def _next_level_doubled(*, item: ProgramItem, level: int) -> bool:
    """Whether another item running for the patient gives them ``level``'s exercise from the
    day the level would start (``duplicates.doubled``)."""
    patient = item.program.patient
    assert patient is not None  # a logged item is of an assigned program
    return bool(doubled(patient, track=item.track, level=level)[1])


def _next_level_conflicts(*, item: ProgramItem, level: int) -> bool:
    """Whether the exercise at ``level`` runs into the patient's hip precautions on the day
    a level change would start (their next day)."""
    patient = item.program.patient
    if patient is None or item.ladder_id is None:
        return False
    exercise = level_exercise(item.ladder_id, level)
    if exercise is None:
        return False
    on = patient.local_today() + timedelta(days=1)
    return bool(conflicts(exercise, precautions_in_force(patient=patient, on=on)))


def _rule_met_text(*, log: SetLog, level: int, counted: list[date]) -> str:
    """Which rule was met and on which days (``counted_days``), e.g. "20 reps in one set on
    each side, on 2 separate days: Mon 1 Dec, Wed 3 Dec"."""
    item = log.item
    assert item.ladder is not None
    rule = level_rule(ladder_id=item.ladder.pk, level=level)
    assert rule is not None
    when = ", ".join(day.strftime("%a %-d %b") for day in counted)
    text = rule.rule_text(item.ladder, log.target_per_side, hold_top(item))
    return f"{text}: {when}"[:200]
