"""The goal an item works toward on Today, and where its amount control starts.

CLINICAL.md: the dose rises from the prescription toward the level's advance target (Boren's
20 reps); the control starts at the patient's best recent count at that level so the patient
is led toward the goal instead of re-logging the minimum. The same holds for any dose that
rises (a range: within it) and for a dose to fatigue (the best recent count, up to its cap).

Except on a day to go lighter (CLINICAL.md, pain-monitoring model): after a "worse" answer
this morning (reduce the load today), and for an exercise whose last day had pain above the
clinic's hold-back level ("too much": come back to it at a lower load), or has it today. Then
the control offers the prescription and no more (the low end of a range; no count for a dose
to fatigue): CLINICAL.md states no lighter dose, and the patient goes below it with the
control. And a set logged with pain above that level is never anyone's "best".
One query for the whole page (the ladder levels come with the plan, the morning's answer
with the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Max, Q

from apps.exercises.models import AdvanceRule, LadderLevel
from apps.patients.models import Patient
from apps.programs.doses import hold_top, log_target
from apps.programs.models import SetLog
from apps.programs.selectors import PlanItem

RECENT_DAYS = 14


@dataclass(frozen=True)
class Goal:
    text: str
    start: int | None  # where the amount control starts; None: the prescription
    # Why the control offers no more than the prescription today ("" when it need not, or
    # when the card's stop advice already says it: too much pain today).
    lighter: str = ""


@dataclass(frozen=True)
class _Recent:
    """A patient's recent sets of some tracks, as far as the control's start needs them."""

    best: dict[tuple[UUID, int | None], int]  # by track and level, within the pain limit
    too_much: set[UUID]  # tracks whose last day, or today, had pain above the limit
    too_much_before: set[UUID]  # of those, the ones held back by an earlier day


MORNING_WORSE = (
    "Your hip is worse this morning: go lighter today, with fewer reps or a smaller movement "
    "than usual."
)


def _pain_before(limit: int) -> str:
    return (
        f"Last time, this exercise hurt more than {limit} out of 10: come back to it at a "
        "lower load today, with fewer reps or a smaller movement."
    )


def _rises(plan: PlanItem) -> bool:
    item = plan.item
    return bool(item.to_fatigue or item.reps_up_to or item.hold_up_to)


def goals_for(
    *,
    patient: Patient,
    items: list[PlanItem],
    today: date,
    levels: dict[tuple[int, int], LadderLevel],
    morning_worse: bool,
) -> dict[int, Goal]:
    """Each ladder item's goal in plain words, and where the control of every item whose
    dose rises starts, keyed by item id. ``levels`` are the plan's (``TodayPlan.levels``:
    every level of the day's ladders, with the ladder); ``morning_worse``: this morning's
    answer was "worse" (hip or stiffness)."""
    ladder_items = [p for p in items if p.item.ladder_id and p.level]
    rising = [p for p in items if _rises(p) and not (p.item.ladder_id and p.level)]
    if not ladder_items and not rising:
        return {}
    limit = patient.clinic.pain_progression_limit
    recent = _recent(patient, [p.item.track for p in (*ladder_items, *rising)], today, limit)

    def lighter(plan: PlanItem) -> str | None:
        """Why to go lighter with this item today (None: no need; "": said elsewhere)."""
        track = plan.item.track
        if track in recent.too_much:
            return _pain_before(limit) if track in recent.too_much_before else ""
        return MORNING_WORSE if morning_worse else None

    goals: dict[int, Goal] = {}
    for plan in rising:
        why = lighter(plan)
        best = None if why is not None else recent.best.get((plan.item.track, None))
        goals[plan.item.pk] = Goal("", log_target(plan.item, best), why or "")
    for plan in ladder_items:
        rule = levels.get((plan.item.ladder_id or 0, plan.level or 0))
        if rule is None:
            continue
        why = lighter(plan)
        best = None if why is not None else recent.best.get((plan.item.track, plan.level))
        goals[plan.item.pk] = _goal(plan, rule, best, limit, why or "")
    return goals


def _recent(patient: Patient, tracks: list[UUID], today: date, limit: int) -> _Recent:
    """One query: each track's day and level of the last two weeks, with its best amount
    within the pain limit and its highest pain."""
    within = Q(pain__lte=limit)
    rows = (
        SetLog.objects.filter(
            patient=patient,
            item__track__in=tracks,
            performed_on__gte=today - timedelta(days=RECENT_DAYS),
            performed_on__lte=today,
        )
        .values("item__track", "ladder_level", "performed_on")
        .annotate(
            reps=Max("reps", filter=within),
            hold=Max("hold_seconds", filter=within),
            pain=Max("pain"),
        )
        .order_by("performed_on")
    )
    best: dict[tuple[UUID, int | None], int] = {}
    pain_by_day: dict[UUID, dict[date, int]] = {}
    for row in rows:
        track = row["item__track"]
        days = pain_by_day.setdefault(track, {})
        days[row["performed_on"]] = max(days.get(row["performed_on"], 0), row["pain"])
        amount = row["reps"] if row["reps"] is not None else row["hold"]
        if amount is not None:
            key = (track, row["ladder_level"])
            best[key] = max(best.get(key, 0), amount)
    today_too_much = {t for t, days in pain_by_day.items() if days.get(today, 0) > limit}
    before = {
        track
        for track, days in pain_by_day.items()
        if (earlier := [d for d in days if d < today]) and days[max(earlier)] > limit
    }
    return _Recent(best, today_too_much | before, before - today_too_much)


def _goal(plan: PlanItem, rule: LadderLevel, best: int | None, limit: int, lighter: str) -> Goal:
    target = rule.target_for(rule.ladder, hold_top(plan.item))
    side = " on each side" if plan.item.per_side else ""
    if rule.advance_rule == AdvanceRule.HOLD:
        aim = f"Aim to hold for up to {target} seconds in one set{side}"
    else:
        aim = f"Aim for up to {target} {'rep' if target == 1 else 'reps'} in one set{side}"
    text = f"{aim}; stop when your form slips or it hurts more than {limit} out of 10."
    if plan.item.to_fatigue:
        return Goal(text, log_target(plan.item, best), lighter)
    prescribed = plan.item.hold_seconds if plan.is_hold else plan.item.reps
    start = min(max(best or 0, prescribed or 0), target) if best else None
    return Goal(text, start, lighter)
