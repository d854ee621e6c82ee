"""Progression along a ladder: the rule that raises a prompt, and the prompt's creation.

The rule (see DESIGN.md): one set at the item's current ladder level reaches the ladder's
``advance_at_reps`` (for a per-side item: a left and a right set, the same day), on the
level's number of separate days, and no pain above the clinic's ``pain_progression_limit``
was logged from the first of those days to the last (its hold window). Then one prompt per
(patient, track, level, stay at that level) exists: the database makes it unique, so
evaluating twice, or two logs meeting the rule, never makes a second one, while a patient
moved back to a level and meeting its rule again raises a new one.

Pain above that limit, or a "worse" next-morning answer, holds a prompt back for the
therapist, and takes back an automatic advance it answered. The therapist's decisions are
in ``prompt_decisions``; the level changes both make are in ``levels``. Nothing here sends
messages: callers do (notifications).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.exercises.models import AdvanceRule, LadderLevel
from apps.patients.models import Side
from apps.patients.selectors import precautions_in_force
from apps.patients.services import patient_row_lock
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import dose_at_new_level, hold_top
from apps.programs.duplicates import doubled
from apps.programs.levels import (
    advance,
    item_in_force,
    level_exercise,
    level_on_day,
    set_level,
    track_rows,
    tracks_going_on_for,
)
from apps.programs.models import (
    FIRST_STAY,
    LevelChange,
    MorningCheck,
    ProgramItem,
    ProgressionPrompt,
    PromptStatus,
    SetLog,
)
from apps.programs.precautions import conflicts
from apps.programs.prompt_decisions import CLOSED_ARCHIVED, CLOSED_LATE, default_reason


def progression_rule_met(*, log: SetLog) -> bool:
    """Whether this committed log (with the patient's other logs) meets its ladder level's
    advance rule: reps or seconds held in one set (a left and a right set the same day for a
    per-side item), on the level's number of separate days. Pain is not part of it: pain
    holds a prompt back instead (``prompt_holds_refresh``), so the result never depends on
    when the log is evaluated."""
    item = log.item
    if item.ladder is None or log.ladder_level is None:
        return False
    if level_on_day(item, log.performed_on) != log.ladder_level:
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
    assert log.ladder_level is not None
    # The prescription copied onto the log when it was done.
    return _days_meeting(
        patient_id=log.patient_id, item=log.item, level=log.ladder_level, rule=rule,
        per_side=log.target_per_side,
        days=Q(performed_on__gte=_entered_on(log), performed_on__lte=log.performed_on),
    )  # fmt: skip


def _days_meeting(
    *, patient_id: int, item: ProgramItem, level: int, rule: LadderLevel, per_side: bool, days: Q
) -> list[date]:
    """The ``days`` on which the patient met ``rule`` at ``level`` of the item's track,
    oldest first. One query."""
    assert item.ladder is not None
    field = "reps" if rule.advance_rule == AdvanceRule.REPS else "hold_seconds"
    target = rule.target_for(item.ladder, hold_top(item))
    rows = (
        SetLog.objects.filter(
            days,
            patient_id=patient_id,
            item__track=item.track,
            ladder_level=level,
            **{f"{field}__gte": target},
        )
        .values("performed_on")
        .annotate(
            left=Count("pk", filter=Q(side=Side.LEFT)),
            right=Count("pk", filter=Q(side=Side.RIGHT)),
        )
        .order_by("performed_on")
    )
    return [r["performed_on"] for r in rows if not per_side or (r["left"] and r["right"])]


def counted_days(*, log: SetLog, level: int) -> list[date]:
    """The qualifying days a prompt raised by this log counts, oldest first: the first
    ``advance_days`` of the stay, up to the log's day (the rule was met on the last of them).
    The first ones, not the latest: a later qualifying day evaluated before an earlier one
    (the worker was down) raises the prompt that evaluating them in order raises."""
    assert log.item.ladder is not None
    rule = level_rule(ladder_id=log.item.ladder.pk, level=level)
    assert rule is not None
    return qualifying_days(log=log, rule=rule)[: rule.advance_days]


def window_hold(*, patient_id: int, start: date, end: date, limit: int) -> SetLog | None:
    """The set that holds back a prompt whose hold window is ``start``..``end`` (the first
    and the last day its rule counted, and the days between): the highest pain above
    ``limit`` logged in it (the earliest such set among equals: earliest day, then earliest
    logged), or None.

    A function of the window's committed logs only, so every evaluation order agrees on it."""
    return (
        SetLog.objects.filter(
            patient_id=patient_id, performed_on__gte=start, performed_on__lte=end, pain__gt=limit
        )
        .order_by("-pain", "performed_on", "logged_at", "pk")
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
    worse = _worse_morning(patient_id=log.patient_id, start=counted[0])
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


def prompt_holds_refresh(*, log: SetLog) -> list[ProgressionPrompt]:
    """Hold back the patient's prompts whose hold window covers this log's day when the log's
    pain is above the clinic's hold-back level; returns the prompts whose hold changed.

    The hold is recomputed from the window's logs (``window_hold``), so a prompt raised by
    morning sets ends up held back by an afternoon pain, or by pain on an earlier counted day
    that the phone synced late, whichever is evaluated first. An automatic advance it
    answered is undone (the patient waits for the therapist instead)."""
    limit = log.patient.clinic.pain_progression_limit
    if log.pain <= limit:
        return []
    # The patient's row before the prompts', as the closing of prompts takes them (an
    # exercise removed, a program ended, a patient archived:
    # ``prompt_decisions.prompts_withdraw``). Holding the prompts, then writing the patient's
    # row (taking back an advance refreshes the day totals) would deadlock with a close
    # holding the row and waiting for the prompts.
    patient_row_lock(patient_id=log.patient_id)
    prompts = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        patient_id=log.patient_id,
        counted_from__lte=log.performed_on,
        qualified_on__gte=log.performed_on,
    )
    changed = []
    for prompt in prompts.select_related("patient", "item"):
        assert prompt.counted_from is not None  # the filter matched it
        assert prompt.qualified_on is not None
        hold = window_hold(
            patient_id=log.patient_id,
            start=prompt.counted_from,
            end=prompt.qualified_on,
            limit=limit,
        )
        assert hold is not None  # this log itself is one
        # The same set may hold it with another pain now: one corrected higher (a mis-tap)
        # must show the therapist the pain as it now stands.
        if (prompt.held_back_log_id, prompt.held_back_pain) == (hold.pk, hold.pain):
            continue
        _hold(prompt=prompt, hold=hold)
        changed.append(prompt)
    return changed


def _hold(*, prompt: ProgressionPrompt, hold: SetLog) -> None:
    prompt.held_back_pain, prompt.held_back_log = hold.pain, hold
    fields = ["held_back_pain", "held_back_log"]
    if prompt.status == PromptStatus.AUTO_APPROVED:
        when = "the day of the sets that moved you up"
        if hold.performed_on != prompt.qualified_on:
            when = f"{hold.performed_on:%a %-d %b}, during the days of sets that moved you up"
        _undo_auto_advance(
            prompt=prompt,
            reason=(
                f"Back to level {prompt.level}: pain {hold.pain} out of 10 was logged on "
                f"{when}. Your therapist will decide when to move on."
            ),
        )
        prompt.status, prompt.decided_at = PromptStatus.PENDING, None
        fields += ["status", "decided_at"]
    prompt.save(update_fields=fields)


def auto_advances_undo_for_morning(*, check: MorningCheck) -> list[ProgressionPrompt]:
    """Take back the automatic advances a "worse" next-morning answer is about: prompts
    whose hold window covers the exercise day it asks about, or its own day (sets done
    before the answer), go back to the therapist, held back by the answer, as pain does. The
    patient, told to go lighter today, is not moved up the same morning. Returns those
    prompts."""
    if not check.is_worse:
        return []
    prompts = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        _window_covers(check.exercise_day) | _window_covers(check.local_date),
        patient_id=check.patient_id,
        status=PromptStatus.AUTO_APPROVED,
    )
    undone = []
    for prompt in prompts.select_related("patient", "item").order_by("pk"):
        _undo_auto_advance(
            prompt=prompt,
            reason=(
                f"Back to level {prompt.level}: your hip was worse the next day than before "
                "the exercises that moved you up. Your therapist will decide when to move on."
            ),
        )
        prompt.status, prompt.decided_at, prompt.held_back_check = (
            PromptStatus.PENDING, None, check,
        )  # fmt: skip
        prompt.save(update_fields=["status", "decided_at", "held_back_check"])
        undone.append(prompt)
    return undone


def prompt_rule_refresh(*, log: SetLog, deleted: bool = False) -> ProgressionPrompt | None:
    """Check the rule again for the prompt of the stay at the level of ``log``'s day, after
    that set was corrected, deleted (``deleted``; call it after the delete) or evaluated;
    returns the prompt when it changed.

    When the days it counted no longer meet the rule (its sets corrected below it or deleted
    within the 24 hours a patient may change them: a typo) and no other day of the stay
    does, it is held back (``rule_lapsed``, in plain words) until the therapist decides: an
    automatic advance it gave is taken back before it starts; once started, the level is
    left and the therapist told, never moved silently. When the rule is met again, by other
    days of the stay, the same prompt stands again (the database allows one per stay),
    counted from the first of those days, and pain or a "worse" answer over them holds it
    back as for a new prompt. Open and automatically approved prompts only: a therapist's
    decision stands. A function of the logs only, whatever the order of the changes."""
    if log.ladder_level is None or log.item.ladder_id is None:
        return None
    track, level = log.item.track, log.ladder_level
    entered = level_entered_on(
        track=track, patient_id=log.patient_id, level=level, day=log.performed_on
    )
    patient_row_lock(patient_id=log.patient_id)  # before the prompt's row, as holds take it
    stay = Q(patient_id=log.patient_id, track=track, level=level, level_entered_on=entered)
    prompt = (
        ProgressionPrompt.objects.select_for_update(of=("self",))
        .filter(stay, status__in=(*_OPEN, PromptStatus.AUTO_APPROVED))
        .select_related("patient__clinic", "item__ladder")
        .first()
    )
    if prompt is None or prompt.counted_from is None or prompt.qualified_on is None:
        return None
    rule = level_rule(ladder_id=log.item.ladder_id, level=level)
    assert rule is not None  # the prompt was raised by it
    days = _days_meeting(
        patient_id=log.patient_id, item=prompt.item, level=level, rule=rule,
        per_side=prompt.item.per_side, days=_stay(prompt),
    )  # fmt: skip
    counted = [d for d in days if prompt.counted_from <= d <= prompt.qualified_on]
    standing = (
        counted[:1] == [prompt.counted_from]
        and counted[-1:] == [prompt.qualified_on]
        and len(counted) >= rule.advance_days
    )
    if standing and not prompt.rule_lapsed:
        return None
    if len(days) >= rule.advance_days:
        _rebase(prompt=prompt, counted=days[: rule.advance_days])
    elif not prompt.rule_lapsed:
        _lapse(prompt=prompt, why=_lapse_text(log=log, deleted=deleted))
    else:
        return None
    return prompt


_OPEN = (PromptStatus.PENDING, PromptStatus.SNOOZED)


def _stay(prompt: ProgressionPrompt) -> Q:
    """The days of the prompt's stay at its level: from its start to the next stay's."""
    next_entry = (
        LevelChange.objects.filter(
            item__track=prompt.track,
            item__program__patient_id=prompt.patient_id,
            to_level=prompt.level,
            effective_on__gt=prompt.level_entered_on,
        )
        .order_by("effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    days = Q(performed_on__gte=prompt.level_entered_on)
    return days & Q(performed_on__lt=next_entry) if next_entry else days


def _lapse_text(*, log: SetLog, deleted: bool) -> str:
    side = f" ({log.side} side)" if log.side != Side.BOTH else ""
    what = f"The set{side} that met the goal on {log.performed_on:%a %-d %b}"
    if deleted:
        return f"{what} was deleted, so the goal is no longer met."
    done, unit = (log.reps, "reps") if log.reps is not None else (log.hold_seconds, "seconds")
    return f"{what} was corrected to {done} {unit}, so the goal is no longer met."


def _lapse(*, prompt: ProgressionPrompt, why: str) -> None:
    prompt.rule_lapsed = why[:200]
    fields = ["rule_lapsed"]
    if prompt.status == PromptStatus.AUTO_APPROVED:
        change = prompt.level_changes.filter(changed_by__isnull=True).order_by("-pk").first()
        if change is not None and change.effective_on > prompt.patient.local_today():
            # Not started yet: taken back as if never made; the therapist decides.
            _undo_auto_advance(
                prompt=prompt,
                reason=f"Back to level {prompt.level}: your therapist will decide when to move on.",
            )
            prompt.status, prompt.decided_at = PromptStatus.PENDING, None
            fields += ["status", "decided_at"]
        # Started: the patient is doing the new level; moving them back without a word is
        # the therapist's call. The prompt says why on the inbox.
    prompt.save(update_fields=fields)


def _rebase(*, prompt: ProgressionPrompt, counted: list[date]) -> None:
    """Count the prompt from ``counted`` (the rule met again) and hold it back as a prompt
    raised from them is held back; holds already on it stay (never fewer holds)."""
    prompt.counted_from, prompt.qualified_on, prompt.rule_lapsed = counted[0], counted[-1], ""
    item = prompt.item
    assert item.ladder is not None
    rule = level_rule(ladder_id=item.ladder.pk, level=prompt.level)
    assert rule is not None
    when = ", ".join(day.strftime("%a %-d %b") for day in counted)
    prompt.rule_met = f"{rule.rule_text(item.ladder, item.per_side, hold_top(item))}: {when}"[:200]
    prompt.save(update_fields=["counted_from", "qualified_on", "rule_lapsed", "rule_met"])
    hold = window_hold(
        patient_id=prompt.patient_id, start=counted[0], end=counted[-1],
        limit=prompt.patient.clinic.pain_progression_limit,
    )  # fmt: skip
    if hold is not None and (prompt.held_back_log_id, prompt.held_back_pain) != (
        hold.pk,
        hold.pain,
    ):
        _hold(prompt=prompt, hold=hold)
    worse = _worse_morning(patient_id=prompt.patient_id, start=counted[0])
    if worse is not None and prompt.held_back_check_id is None:
        prompt.held_back_check = worse
        fields = ["held_back_check"]
        if prompt.status == PromptStatus.AUTO_APPROVED:
            _undo_auto_advance(
                prompt=prompt,
                reason=(
                    f"Back to level {prompt.level}: your hip was worse the next day than before "
                    "the exercises that moved you up. Your therapist will decide when to move on."
                ),
            )
            prompt.status, prompt.decided_at = PromptStatus.PENDING, None
            fields += ["status", "decided_at"]
        prompt.save(update_fields=fields)


def _window_covers(day: date) -> Q:
    return Q(counted_from__lte=day, qualified_on__gte=day)


def _undo_auto_advance(*, prompt: ProgressionPrompt, reason: str) -> None:
    """Take back the level an automatic advance gave. Until the end of the day the new level
    starts on, the advance is erased (the patient is back on the old level today: sets done
    at the new one that day count for nothing); later, a step back is recorded from the
    patient's next day."""
    item = item_in_force(prompt)
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
    set_level(item=item, to_level=prompt.level, changed_by=None, reason=reason, step_back=True)


def _existing_prompt(*, log: SetLog, level: int) -> ProgressionPrompt | None:
    return ProgressionPrompt.objects.filter(
        patient_id=log.patient_id, track=log.item.track, level=level,
        level_entered_on=_entered_on(log),
    ).first()  # fmt: skip


def _worse_morning(*, patient_id: int, start: date) -> MorningCheck | None:
    """A "worse" next-morning answer given on or after the first day of the hold window
    (``start``): on a day of it (sets done later that day: the patient was told to go lighter
    that day), about one (given the morning after), or any morning since, while the prompt
    would have been open had its sets been evaluated in time. Each holds back the prompt the
    window's sets raise: a log evaluated after such an answer (the worker was down, the phone
    offline) raises its prompt held back, as one evaluated before it ends up
    (``auto_advances_undo_for_morning``, ``morning.prompts_hold_for_morning``), and never
    advances the patient by itself after they were told to go lighter."""
    checks = MorningCheck.objects.filter(patient_id=patient_id, local_date__gte=start)
    return next((check for check in checks.order_by("local_date") if check.is_worse), None)


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
        level_entered_on=_entered_on(log),
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
