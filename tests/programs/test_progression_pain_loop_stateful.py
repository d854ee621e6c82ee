"""Stateful property: the whole progression and pain loop, in any order, over several days.

One patient on the library's clamshell ladder (per side or not) logs sets, corrects and
deletes them, answers the next-morning check; the worker evaluates the sets (at once, late,
or never); the therapist approves, approves anyway, declines, snoozes, changes the level by
hand and turns automatic advance on and off; the clock moves on through the day and to the
next. Everything goes through the app's services, on PostgreSQL, and after every step the
clinical rules of CLINICAL.md ("Progression rule", "Safety", the pain-monitoring model) and
DESIGN.md ("Progression prompt", "Next-morning check", "Pain alert") are checked, each in
its own ``check_`` method; the reference for what they must be is worked out here from the
sets, the answers and the decisions, not asked of the code under test.

Where a rule leaves room, the checks take the safer reading (the prompt waits for the
therapist); each says which.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from apps.exercises.loading import library_load
from apps.exercises.models import LadderLevel
from apps.notifications.models import NotificationKind, PainAlert, StaffNotification
from apps.notifications.services import set_log_evaluate
from apps.patients.models import Patient, Side
from apps.programs.item_services import program_item_update
from apps.programs.levels import track_rows
from apps.programs.logs import set_log_correct, set_log_delete, set_log_is_locked, set_log_record
from apps.programs.models import (
    FIRST_STAY,
    LevelChange,
    MorningCheck,
    ProgramItem,
    ProgressionPrompt,
    PromptStatus,
    SetLog,
)
from apps.programs.morning import morning_check_record
from apps.programs.prompt_decisions import (
    item_level_set,
    prompt_approve,
    prompt_decline,
    prompt_snooze,
)
from apps.programs.stale_prompts import prompts_close_stale
from tests.factories import PatientFactory
from tests.programs.daily_totals_reference import reference_totals, stored_totals
from tests.programs.ladder_items import library_ladder_item

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)  # a Monday; London is on UTC all March
LADDER = "clamshell-boren-2011"
# CLINICAL.md, kept here as the reference rather than read from the code under test.
ADVANCE_AT_REPS = 20  # "when the patient can do 20 reps at a level, move to the next level"
HOLD_BACK_ABOVE = 5  # "pain above 5 ... holds back a progression prompt"
ALERT_AT = 7  # "pain of 7 or more alerts the therapist the same day"
TOP = 4  # clam-1 -> clam-2 -> clam-3 -> clam-4

OPEN = (PromptStatus.PENDING, PromptStatus.SNOOZED)
EVALUATIONS = ("log", "evaluate", "evaluate_all")
PICK = st.integers(min_value=0, max_value=1000)  # an index, taken modulo what exists
# Mostly around the threshold of 20, so the rule is met often.
REPS = st.sampled_from([10, 19, 20, 20, 21, 25]) | st.integers(min_value=0, max_value=25)
# Mostly within the acceptable range, so prompts are not all held back.
PAIN = st.integers(min_value=0, max_value=5) | st.integers(min_value=0, max_value=10)
ANSWER = st.sampled_from(["better", "same", "worse"])


@dataclass(frozen=True)
class Snapshot:
    """What the checks compare across a step."""

    today: date
    level_today: int  # the level the patient does today
    level_next: int  # the level in force from tomorrow (the row's current level)
    changes: frozenset[int]  # LevelChange ids
    prompts: dict[int, str]  # prompt id -> status


class ProgressionLoop(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example in its own savepoint, rolled back at the end, and its own frozen clock.
        self._clock = time_machine.travel(START, tick=False)
        self._now = self._clock.start()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.patient = cast(Patient, PatientFactory(time_zone="Europe/London"))
        self.therapist = self.patient.therapist
        self.auto_on = False  # the therapist's automatic advance switch, as last set
        # The step being taken, read by the checks that follow it.
        self.action: dict[str, Any] = {"kind": "start"}
        # Days the worker saw pain at or above the alert level, with the highest it saw.
        self.alert_pain: dict[date, int] = {}
        self.before: Snapshot | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._clock.stop()

    # --- the world -------------------------------------------------------------------------

    @initialize(per_side=st.booleans(), auto=st.booleans())
    def assign(self, per_side: bool, auto: bool) -> None:
        self.item = library_ladder_item(
            self.patient, LADDER, per_side=per_side, sets=2, reps=10, auto_advance=auto
        )
        self.per_side, self.auto_on, self.track = per_side, auto, self.item.track
        start = self.item.program.start_date
        assert start is not None
        self.program_start: date = start
        assert self.item.ladder is not None
        assert self.item.ladder.advance_at_reps == ADVANCE_AT_REPS
        assert LadderLevel.objects.filter(ladder=self.item.ladder).count() == TOP
        clinic = self.patient.clinic
        assert (clinic.pain_progression_limit, clinic.pain_alert_level) == (
            HOLD_BACK_ABOVE,
            ALERT_AT,
        )

    def today(self) -> date:
        return self.patient.local_today()

    def row(self) -> ProgramItem:
        """The item's row in force (a level with another dose would start a new row)."""
        row = track_rows(track=self.track, patient_id=self.patient.pk).first()
        assert row is not None
        return row

    def logs(self) -> list[SetLog]:
        return list(SetLog.objects.filter(patient=self.patient).order_by("pk"))

    def prompts(self) -> list[ProgressionPrompt]:
        return list(ProgressionPrompt.objects.filter(patient=self.patient).order_by("pk"))

    def evaluate(self, log: SetLog) -> None:
        """What the worker does with a set: the reference remembers the pain it saw."""
        if log.evaluated_at is None and log.pain >= ALERT_AT:
            day = log.performed_on
            self.alert_pain[day] = max(self.alert_pain.get(day, 0), log.pain)
        set_log_evaluate(log_id=log.pk)

    # --- the patient -----------------------------------------------------------------------

    def log(self, *, reps: int, pain: int, left: bool, at_once: bool, days_ago: int = 0) -> None:
        side = (Side.LEFT if left else Side.RIGHT) if self.per_side else Side.BOTH
        log, created = set_log_record(
            patient=self.patient, item=self.row(), client_id=uuid.uuid4(),
            performed_on=self.today() - timedelta(days=days_ago), side=side, reps=reps,
            pain=pain, queued=days_ago > 0,
        )  # fmt: skip
        assert created
        if at_once:  # the worker is up; otherwise the set waits for a later evaluation
            self.evaluate(log)

    @rule(reps=REPS, pain=PAIN, left=st.booleans(), at_once=st.booleans())
    def log_set(self, reps: int, pain: int, left: bool, at_once: bool) -> None:
        self.action = {"kind": "log"}
        self.log(reps=reps, pain=pain, left=left, at_once=at_once)

    @rule(reps=REPS, pain=PAIN, left=st.booleans(), days_ago=st.integers(min_value=1, max_value=2))
    def log_set_done_offline(self, reps: int, pain: int, left: bool, days_ago: int) -> None:
        """A set done a day or two ago reaches the server now (the phone was offline)."""
        self.action = {"kind": "log"}
        self.log(reps=reps, pain=pain, left=left, at_once=True, days_ago=days_ago)

    @rule(pains=st.tuples(PAIN, PAIN), at_once=st.booleans())
    def log_twenty_reps(self, pains: tuple[int, int], at_once: bool) -> None:
        """The advance rule's sets: 20 reps (on each side, for a per-side item)."""
        self.action = {"kind": "log"}
        for left, pain in zip((True, False), pains[: 2 if self.per_side else 1], strict=False):
            self.log(reps=ADVANCE_AT_REPS, pain=pain, left=left, at_once=at_once)

    @rule(pick=PICK, reps=REPS, pain=PAIN)
    def correct_set(self, pick: int, reps: int, pain: int) -> None:
        self.action = {"kind": "correct"}
        logs = self.logs()
        if not logs:
            return
        log = logs[pick % len(logs)]
        if set_log_is_locked(log):
            with pytest.raises(ValidationError):
                set_log_correct(log=log, reps=reps, pain=pain)
            return
        set_log_correct(log=log, reps=reps, pain=pain)

    @rule(pick=PICK)
    def delete_set(self, pick: int) -> None:
        self.action = {"kind": "delete"}
        logs = self.logs()
        if not logs:
            return
        log = logs[pick % len(logs)]
        if set_log_is_locked(log):
            with pytest.raises(ValidationError):
                set_log_delete(log=log)
            return
        set_log_delete(log=log)

    @rule(hip=ANSWER, stiffness=ANSWER)
    def answer_the_morning_check(self, hip: str, stiffness: str) -> None:
        self.action = {"kind": "morning"}
        today = self.today()
        answered = MorningCheck.objects.filter(patient=self.patient, local_date=today).exists()
        yesterday = SetLog.objects.filter(
            patient=self.patient, performed_on=today - timedelta(days=1)
        ).exists()
        if not answered and not yesterday:  # nothing to ask about
            with pytest.raises(ValidationError):
                morning_check_record(patient=self.patient, hip=hip, stiffness=stiffness)
            return
        morning_check_record(patient=self.patient, hip=hip, stiffness=stiffness)

    # --- the worker ------------------------------------------------------------------------

    @rule(pick=PICK)
    def evaluate_one(self, pick: int) -> None:
        """One waiting set, in any order (a retry, the sweep, a second worker)."""
        self.action = {"kind": "evaluate"}
        waiting = [log for log in self.logs() if log.evaluated_at is None]
        if waiting:
            self.evaluate(waiting[pick % len(waiting)])

    @rule()
    def evaluate_all(self) -> None:
        """The worker catches up with every waiting set, in id order."""
        self.action = {"kind": "evaluate_all"}
        for log in self.logs():
            if log.evaluated_at is None:
                self.evaluate(log)

    # --- the therapist ---------------------------------------------------------------------

    def _pick_prompt(self, pick: int) -> ProgressionPrompt | None:
        prompts = self.prompts()
        return prompts[pick % len(prompts)] if prompts else None

    def _approve(self, prompt: ProgressionPrompt, override_reason: str) -> dict[str, Any] | None:
        """Approve as the inbox does; the errors of a refusal, or None."""
        self.action = {"kind": "approve", "prompt": prompt.pk}
        try:
            prompt_approve(prompt=prompt, user=self.therapist, override_reason=override_reason)
        except ValidationError as error:
            self.action["refused"] = error.message_dict
            return error.message_dict
        self.action["done"] = True
        return None

    @rule(pick=PICK)
    def approve(self, pick: int) -> None:
        prompt = self._pick_prompt(pick)
        if prompt is None:
            return
        needs, was_open = self.needs_approve_anyway(prompt), prompt.status in OPEN
        errors = self._approve(prompt, override_reason="")  # refreshes ``prompt``
        if not was_open:
            assert errors is not None, "a decided prompt was approved"
            return
        # An open prompt is refused for want of a reason exactly when the reference says it
        # needs "approve anyway" (it may also be refused for another reason, e.g. a level
        # changed by hand since: then nothing is approved either).
        assert needs == (errors is not None and "override_reason" in errors), (needs, errors)

    @rule(pick=PICK)
    def approve_anyway(self, pick: int) -> None:
        prompt = self._pick_prompt(pick)
        if prompt is None:
            return
        errors = self._approve(prompt, override_reason="Seen the patient today.")
        assert errors is None or "override_reason" not in errors, errors

    @rule(pick=PICK)
    def decline(self, pick: int) -> None:
        self.action = {"kind": "decline"}
        prompt = self._pick_prompt(pick)
        if prompt is None:
            return
        if prompt.status not in OPEN:
            with pytest.raises(ValidationError):
                prompt_decline(prompt=prompt, user=self.therapist, reason="Not yet.")
            return
        prompt_decline(prompt=prompt, user=self.therapist, reason="Not yet.")

    @rule(pick=PICK, days=st.integers(min_value=1, max_value=3))
    def snooze(self, pick: int, days: int) -> None:
        self.action = {"kind": "snooze"}
        prompt = self._pick_prompt(pick)
        if prompt is None:
            return
        until = self.today() + timedelta(days=days)
        if prompt.status not in OPEN:
            with pytest.raises(ValidationError):
                prompt_snooze(prompt=prompt, user=self.therapist, until=until)
            return
        prompt_snooze(prompt=prompt, user=self.therapist, until=until)

    @rule(level=st.integers(min_value=1, max_value=TOP))
    def set_level_by_hand(self, level: int) -> None:
        self.action = {"kind": "set_level", "level": level}
        row = self.row()
        if row.current_level == level:
            with pytest.raises(ValidationError):
                item_level_set(item=row, user=self.therapist, level=level, reason="A check.")
            return
        item_level_set(item=row, user=self.therapist, level=level, reason="Seen in clinic.")
        self.action["done"] = True

    @rule(on=st.booleans())
    def automatic_advance(self, on: bool) -> None:
        self.action = {"kind": "auto"}
        program_item_update(actor=self.therapist, item=self.row(), auto_advance=on)
        self.auto_on = on

    # --- the clock -------------------------------------------------------------------------

    @precondition(lambda self: datetime.now(LONDON).hour < 20)
    @rule()
    def later_today(self) -> None:
        self.action = {"kind": "later"}
        self._now.shift(timedelta(hours=4))

    @rule(hour=st.sampled_from([7, 12, 19]))
    def next_day(self, hour: int) -> None:
        """Midnight passes: the patient's next day, and the beat's daily close of prompts."""
        self.action = {"kind": "next_day"}
        tomorrow = self.today() + timedelta(days=1)
        self._now.move_to(datetime.combine(tomorrow, time(hour), tzinfo=LONDON))
        prompts_close_stale()

    # --- the references --------------------------------------------------------------------

    def needs_approve_anyway(self, prompt: ProgressionPrompt) -> bool:
        """DESIGN.md: approving a prompt held back, or whose patient reported pain above the
        hold-back level or a "worse" morning since its first counted day, needs "approve
        anyway" with a reason. Read from the sets as they are, evaluated or not: the worker
        being behind must not let an approval through."""
        assert prompt.counted_from is not None
        painful = SetLog.objects.filter(
            patient=self.patient, performed_on__gte=prompt.counted_from, pain__gt=HOLD_BACK_ABOVE
        ).exists()
        worse = any(
            check.is_worse
            for check in MorningCheck.objects.filter(
                patient=self.patient, local_date__gt=prompt.counted_from
            )
        )
        return prompt.is_held_back or painful or worse

    def snapshot(self, prompts: list[ProgressionPrompt]) -> Snapshot:
        row, today = self.row(), self.today()
        level_today = row.level_on(today)
        assert level_today is not None
        assert row.current_level is not None
        changes = LevelChange.objects.filter(item__program__patient=self.patient)
        return Snapshot(
            today=today,
            level_today=level_today,
            level_next=row.current_level,
            changes=frozenset(changes.values_list("pk", flat=True)),
            prompts={p.pk: p.status for p in prompts},
        )

    @invariant()
    def clinical_rules(self) -> None:
        """Every rule after every step, in this order; then the step's end is the next one's
        start."""
        prompts = self.prompts()
        now = self.snapshot(prompts)
        if self.before is not None:
            self.check_level_changes_only_by_a_decision(self.before, now, prompts)
            self.check_a_change_starts_the_next_day(self.before, now)
            self.check_prompts_are_raised_only_by_the_rule(self.before, prompts)
        self.check_one_prompt_per_item_level_and_stay(prompts)
        self.check_a_prompt_stands_only_on_the_rule(prompts)
        self.check_pain_above_the_limit_holds_the_prompt_back(prompts)
        self.check_a_worse_morning_holds_the_prompt_back(prompts)
        self.check_no_prompt_beyond_the_top(now, prompts)
        self.check_one_pain_alert_per_day()
        # Moving the clock, snoozing or declining writes no set, level or program row (the
        # new day has no sets yet): the totals (the slowest check) cannot have changed.
        if self.action["kind"] not in ("later", "next_day", "snooze", "decline"):
            self.check_daily_totals(now)
        self.before = now

    # --- the rules -------------------------------------------------------------------------

    def check_level_changes_only_by_a_decision(
        self, before: Snapshot, now: Snapshot, prompts: list[ProgressionPrompt]
    ) -> None:
        """CLINICAL.md Safety: the app never moves a patient up by itself unless the therapist
        turned automatic advance on; DESIGN.md: the level changes by an approved prompt, a
        change by hand, or that automatic advance, from the patient's next day. So: today's
        level never rises during the day; the level from tomorrow rises only by the step's
        approval or hand change (to the level they asked for) or, when automatic advance is
        on, by a prompt the worker approved in this step; it falls only by a hand change or
        the app taking back an automatic advance (pain, a "worse" morning)."""
        kind = self.action["kind"]
        if kind == "next_day":
            assert (now.level_today, now.level_next) == (before.level_next, before.level_next)
            return
        assert now.level_today <= before.level_today, "today's level rose during the day"
        statuses = {p.pk: p for p in prompts}
        auto_now = [
            p
            for p in statuses.values()
            if p.status == PromptStatus.AUTO_APPROVED
            and before.prompts.get(p.pk) != PromptStatus.AUTO_APPROVED
        ]
        taken_back = [
            p
            for pk, status in before.prompts.items()
            if status == PromptStatus.AUTO_APPROVED
            and (p := statuses[pk]).status != PromptStatus.AUTO_APPROVED
        ]
        # The app approves on its own only in an evaluation, and only with the switch on.
        assert not auto_now or (kind in EVALUATIONS and self.auto_on), auto_now
        if self.action.get("done"):  # a therapist's approval or change by hand went through
            if kind == "approve":
                prompt = statuses[self.action["prompt"]]
                assert now.level_next == prompt.next_level
            else:
                assert now.level_next == self.action["level"]
            assert now.level_today == before.level_today
            return
        if now.level_next > before.level_next:
            assert [p for p in auto_now if p.next_level == now.level_next], "rose by itself"
        if now.level_next < before.level_next or now.level_today < before.level_today:
            # Taken back to the level the automatic advance had started from.
            back = {p.level for p in taken_back}
            assert now.level_next in back, "fell by itself"
            assert now.level_today == before.level_today or now.level_today in back

    def check_a_change_starts_the_next_day(self, before: Snapshot, now: Snapshot) -> None:
        """DESIGN.md: approval advances the level from the patient's next day (never the same
        day); so does a change by hand or the app's own advance."""
        new = LevelChange.objects.filter(item__program__patient=self.patient).exclude(
            pk__in=before.changes
        )
        for change in new:
            assert change.effective_on == now.today + timedelta(days=1), change.effective_on
            if change.to_level > change.from_level and change.changed_by_id is None:
                assert change.prompt is not None
                assert change.prompt.status == PromptStatus.AUTO_APPROVED

    def check_prompts_are_raised_only_by_the_rule(
        self, before: Snapshot, prompts: list[ProgressionPrompt]
    ) -> None:
        """CLINICAL.md Progression rule: 20 reps in one set at a level (DESIGN.md: on each side
        the same day for a per-side exercise) raises a prompt for that level. Checked as the
        prompt is raised (the worker evaluated the set in this step): from the sets as they
        are then, at the prompt's level, since the patient last came to it. (A qualifying
        set corrected below 20 reps or deleted afterwards: ``check_a_prompt_stands_only_on_the
        _rule``.)"""
        for prompt in (p for p in prompts if p.pk not in before.prompts):
            assert self.action["kind"] in EVALUATIONS, "a prompt raised by no evaluation"
            assert prompt.counted_from == prompt.qualified_on  # the library's rule: one day
            entered = (
                LevelChange.objects.filter(
                    item__track=self.track,
                    to_level=prompt.level,
                    effective_on__lte=prompt.qualified_on,
                )
                .order_by("-effective_on")
                .values_list("effective_on", flat=True)
                .first()
            )
            assert prompt.level_entered_on == (entered or FIRST_STAY)
            assert self.rule_met_on(prompt), f"prompt at level {prompt.level} without the rule"

    def rule_met_on(self, prompt: ProgressionPrompt) -> bool:
        """Whether the sets of the prompt's counted day, as they are now, meet its rule."""
        sides = set(
            SetLog.objects.filter(
                patient=self.patient,
                ladder_level=prompt.level,
                performed_on=prompt.qualified_on,
                reps__gte=ADVANCE_AT_REPS,
            ).values_list("side", flat=True)
        )
        return {Side.LEFT, Side.RIGHT} <= sides if self.per_side else bool(sides)

    def check_a_prompt_stands_only_on_the_rule(self, prompts: list[ProgressionPrompt]) -> None:
        """The safer reading of CLINICAL.md Safety: a qualifying set corrected below 20 reps
        or deleted (a typo) must not move the patient up. A prompt approvable without
        "approve anyway", or an automatic advance not started yet, stands only while the sets
        of its counted day still meet the rule. (An advance already started is left, and
        the therapist told: moving the patient's level silently is not safer.)"""
        tomorrow = self.today() + timedelta(days=1)
        for prompt in prompts:
            change = prompt.level_changes.filter(changed_by__isnull=True).order_by("-pk").first()
            waiting = prompt.status in OPEN and not self.needs_approve_anyway(prompt)
            auto = prompt.status == PromptStatus.AUTO_APPROVED
            if waiting or (auto and change is not None and change.effective_on >= tomorrow):
                assert self.rule_met_on(prompt), (prompt.status, prompt.qualified_on)

    def check_one_prompt_per_item_level_and_stay(self, prompts: list[ProgressionPrompt]) -> None:
        """DESIGN.md: one prompt per patient, item and level. The project counts it per stay at
        the level (README: a patient moved back after a flare-up who meets the rule again is
        asked again), so at most one per stay, and at most one open at a time."""
        stays = [(p.track, p.level, p.level_entered_on) for p in prompts]
        assert len(stays) == len(set(stays)), stays
        open_levels = [(p.track, p.level) for p in prompts if p.status in OPEN]
        assert len(open_levels) == len(set(open_levels)), open_levels
        emails = StaffNotification.objects.filter(prompt__patient=self.patient)
        prompt_ids = list(emails.values_list("prompt_id", flat=True))
        assert len(prompt_ids) == len(set(prompt_ids)), "a prompt emailed twice"

    def check_pain_above_the_limit_holds_the_prompt_back(
        self, prompts: list[ProgressionPrompt]
    ) -> None:
        """CLINICAL.md Safety: pain above 5 holds back a progression prompt; DESIGN.md: pain
        above the limit logged that day (before or after the qualifying set, whatever the
        order of evaluation) holds an open prompt back and takes back an automatic advance.
        Checked against the sets the worker has seen (a set not yet evaluated cannot have
        held anything yet; approving reads them all: ``needs_approve_anyway``), on every
        prompt still open or approved by the app."""
        for prompt in prompts:
            if prompt.status not in (*OPEN, PromptStatus.AUTO_APPROVED):
                continue
            seen = SetLog.objects.filter(
                patient=self.patient,
                evaluated_at__isnull=False,
                performed_on__gte=prompt.counted_from,
                performed_on__lte=prompt.qualified_on,
                pain__gt=HOLD_BACK_ABOVE,
            ).values_list("pain", flat=True)
            if not seen:
                continue
            assert prompt.status != PromptStatus.AUTO_APPROVED, "advanced despite pain"
            assert prompt.held_back_pain is not None, "not held back despite pain"
            # The therapist is shown the highest pain reported (never less than it).
            assert prompt.held_back_pain >= max(seen), (prompt.held_back_pain, list(seen))

    def check_a_worse_morning_holds_the_prompt_back(self, prompts: list[ProgressionPrompt]) -> None:
        """CLINICAL.md pain-monitoring model: a "worse" next-morning answer holds back open
        prompts; DESIGN.md: whatever the order of evaluation. So a prompt open now is held
        back by a "worse" answer given on or after the day its rule was met (it was open
        then, or would have been had its sets been evaluated in time), and nothing the
        answer is about (its exercise day, or its own day) stays approved by the app."""
        worse = [c for c in MorningCheck.objects.filter(patient=self.patient) if c.is_worse]
        if not worse:
            return
        for prompt in prompts:
            assert prompt.counted_from is not None
            assert prompt.qualified_on is not None
            for check in worse:
                if prompt.status in OPEN and prompt.qualified_on <= check.local_date:
                    assert prompt.is_held_back, (prompt.qualified_on, check.local_date)
                covered = any(
                    prompt.counted_from <= day <= prompt.qualified_on
                    for day in (check.exercise_day, check.local_date)
                )
                if covered:
                    assert prompt.status != PromptStatus.AUTO_APPROVED, "advanced when worse"

    def check_no_prompt_beyond_the_top(
        self, now: Snapshot, prompts: list[ProgressionPrompt]
    ) -> None:
        """CLINICAL.md Ladders: the clamshell ladder has four levels. At the top the prompt
        says so (no next level, nothing to approve); no level beyond it, ever."""
        for prompt in prompts:
            if prompt.level == TOP:
                assert prompt.next_level is None
                assert prompt.status == PromptStatus.COMPLETE
            else:
                assert prompt.next_level == prompt.level + 1
        assert now.level_next in range(1, TOP + 1)
        changes = LevelChange.objects.filter(item__program__patient=self.patient)
        assert all(1 <= c.to_level <= TOP for c in changes)

    def check_one_pain_alert_per_day(self) -> None:
        """DESIGN.md Pain alert: a logged pain at or above the alert level (7) alerts the
        therapist once per patient per day: an alert, with one email, for each day the worker
        saw such pain, naming the highest it saw; none for other days. An alert stays when
        the set is corrected or deleted (a pain report once made does not vanish)."""
        alerts = {a.local_date: a for a in PainAlert.objects.filter(patient=self.patient)}
        assert PainAlert.objects.filter(patient=self.patient).count() == len(alerts)
        assert {day: a.pain for day, a in alerts.items()} == self.alert_pain
        for alert in alerts.values():
            emails = StaffNotification.objects.filter(alert=alert, kind=NotificationKind.PAIN_ALERT)
            assert emails.count() == 1

    def check_daily_totals(self, now: Snapshot) -> None:
        """The stored daily totals equal the reference worked out from the sets and the
        program (``daily_totals_reference``)."""
        expected = reference_totals(self.patient, start=self.program_start, end=now.today)
        assert stored_totals(self.patient, now.today) == expected


@pytest.mark.django_db
def test_the_progression_and_pain_loop_keeps_the_clinical_rules() -> None:
    library_load()
    run_state_machine_as_test(
        ProgressionLoop,
        settings=settings(
            # About 15 s of CPU: a few days of a patient's loop in each of 15 runs.
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
