"""What holds a raised prompt back, and taking back an automatic advance it gave.

Pain above the clinic's hold-back level over the prompt's counted days
(``prompt_holds_refresh``), a "worse" next-morning answer (``worse_morning``,
``auto_advances_undo_for_morning``) and its qualifying sets corrected below the rule or
deleted (``prompt_rule_refresh``) each hold it back for the therapist; an automatic advance
it answered is taken back. The prompt's creation is in
``progression``; the rule and its days in ``progression_rule``.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from apps.exercises.models import LadderLevel
from apps.patients.models import Side
from apps.patients.services import patient_row_lock
from apps.programs.daily_totals import daily_totals_refresh_patient
from apps.programs.doses import hold_top
from apps.programs.levels import item_in_force, set_level
from apps.programs.models import LevelChange, MorningCheck, ProgressionPrompt, PromptStatus, SetLog
from apps.programs.progression_rule import (
    days_meeting,
    level_entered_on,
    level_rule,
    set_meeting,
    window_hold,
)


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
    days = days_meeting(
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
        if prompt.triggered_by_id in (None, log.pk):
            # Its set changed, or was deleted, and another set of the day still meets the goal:
            # the prompt stands on that one now.
            _name_trigger(prompt=prompt, rule=rule)
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
    raised from them is held back; holds already on it stay (never fewer holds). It names
    the set that met the rule on the last of those days (``set_meeting``) as the one that
    triggered it: the set it named was corrected below the goal or deleted."""
    prompt.counted_from, prompt.qualified_on, prompt.rule_lapsed = counted[0], counted[-1], ""
    item = prompt.item
    assert item.ladder is not None
    rule = level_rule(ladder_id=item.ladder.pk, level=prompt.level)
    assert rule is not None
    when = ", ".join(day.strftime("%a %-d %b") for day in counted)
    prompt.rule_met = f"{rule.rule_text(item.ladder, item.per_side, hold_top(item))}: {when}"[:200]
    prompt.save(update_fields=["counted_from", "qualified_on", "rule_lapsed", "rule_met"])
    _name_trigger(prompt=prompt, rule=rule)
    hold = window_hold(
        patient_id=prompt.patient_id, start=counted[0], end=counted[-1],
        limit=prompt.patient.clinic.pain_progression_limit,
    )  # fmt: skip
    if hold is not None and (prompt.held_back_log_id, prompt.held_back_pain) != (
        hold.pk,
        hold.pain,
    ):
        _hold(prompt=prompt, hold=hold)
    worse = worse_morning(patient_id=prompt.patient_id, start=counted[0])
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


def _name_trigger(*, prompt: ProgressionPrompt, rule: LadderLevel) -> None:
    """Name as the set that triggered the prompt the one that met ``rule`` on its last counted
    day (``set_meeting``), not a set corrected below the goal since, or none (deleted)."""
    assert prompt.qualified_on is not None
    found = set_meeting(
        patient_id=prompt.patient_id, item=prompt.item, level=prompt.level, rule=rule,
        per_side=prompt.item.per_side, day=prompt.qualified_on,
    )  # fmt: skip
    if found is not None and found.pk != prompt.triggered_by_id:
        prompt.triggered_by = found
        prompt.save(update_fields=["triggered_by"])


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


def worse_morning(*, patient_id: int, start: date) -> MorningCheck | None:
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
