"""The goal an item works toward on Today, and where its amount control starts.

CLINICAL.md: the dose rises from the prescription toward the level's advance target (Boren's
20 reps); the control starts at the patient's best recent count at that level so the patient
is led toward the goal instead of re-logging the minimum. The same holds for any dose that
rises (a range: within it) and for a dose to fatigue (the best recent count, up to its cap).
One query for the whole page (the ladder levels come with the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Max

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


def _rises(plan: PlanItem) -> bool:
    item = plan.item
    return bool(item.to_fatigue or item.reps_up_to or item.hold_up_to)


def goals_for(
    *,
    patient: Patient,
    items: list[PlanItem],
    today: date,
    levels: dict[tuple[int, int], LadderLevel],
) -> dict[int, Goal]:
    """Each ladder item's goal in plain words, and where the control of every item whose
    dose rises starts, keyed by item id. ``levels`` are the plan's (``TodayPlan.levels``:
    every level of the day's ladders, with the ladder)."""
    ladder_items = [p for p in items if p.item.ladder_id and p.level]
    rising = [p for p in items if _rises(p) and not (p.item.ladder_id and p.level)]
    if not ladder_items and not rising:
        return {}
    tracks = [p.item.track for p in (*ladder_items, *rising)]
    best = _best_recent(patient, tracks, today)
    goals = {
        plan.item.pk: Goal("", log_target(plan.item, best.get((plan.item.track, None))))
        for plan in rising
    }
    for plan in ladder_items:
        rule = levels.get((plan.item.ladder_id or 0, plan.level or 0))
        if rule is None:
            continue
        goals[plan.item.pk] = _goal(plan, rule, best.get((plan.item.track, plan.level)), patient)
    return goals


def _best_recent(
    patient: Patient, tracks: list[UUID], today: date
) -> dict[tuple[UUID, int | None], int]:
    rows = (
        SetLog.objects.filter(
            patient=patient,
            item__track__in=tracks,
            performed_on__gte=today - timedelta(days=RECENT_DAYS),
        )
        .values("item__track", "ladder_level")
        .annotate(reps=Max("reps"), hold=Max("hold_seconds"))
    )
    return {
        (row["item__track"], row["ladder_level"]): row["reps"] or row["hold"] or 0 for row in rows
    }


def _goal(plan: PlanItem, rule: LadderLevel, best: int | None, patient: Patient) -> Goal:
    target = rule.target_for(rule.ladder, hold_top(plan.item))
    limit = patient.clinic.pain_progression_limit
    side = " on each side" if plan.item.per_side else ""
    if rule.advance_rule == AdvanceRule.HOLD:
        aim = f"Aim to hold for up to {target} seconds in one set{side}"
    else:
        aim = f"Aim for up to {target} {'rep' if target == 1 else 'reps'} in one set{side}"
    text = f"{aim}; stop when your form slips or it hurts more than {limit} out of 10."
    if plan.item.to_fatigue:
        return Goal(text, log_target(plan.item, best))
    prescribed = plan.item.hold_seconds if plan.is_hold else plan.item.reps
    start = min(max(best or 0, prescribed or 0), target) if best else None
    return Goal(text, start)
