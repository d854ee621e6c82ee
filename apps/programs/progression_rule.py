"""The advance rule of a ladder level and the days that meet it: whether a set meets it, the
days a prompt counts, and the set that holds a prompt back by its pain (a function of the
committed logs alone, so every evaluation order agrees). Read by the prompt's creation
(``progression``) and by what holds it back later (``prompt_holds``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from apps.exercises.models import AdvanceRule, LadderLevel
from apps.patients.models import Side
from apps.programs.doses import hold_top
from apps.programs.levels import level_on_day
from apps.programs.models import FIRST_STAY, LevelChange, ProgramItem, SetLog


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


def stay_entered_on(log: SetLog) -> date:
    """The day the patient's stay at ``log``'s level began (``level_entered_on``)."""
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
    return days_meeting(
        patient_id=log.patient_id, item=log.item, level=log.ladder_level, rule=rule,
        per_side=log.target_per_side,
        days=Q(performed_on__gte=stay_entered_on(log), performed_on__lte=log.performed_on),
    )  # fmt: skip


def days_meeting(
    *, patient_id: int, item: ProgramItem, level: int, rule: LadderLevel, per_side: bool, days: Q
) -> list[date]:
    """The ``days`` on which the patient met ``rule`` at ``level`` of the item's track,
    oldest first. One query."""
    rows = (
        _sets_meeting(patient_id=patient_id, item=item, level=level, rule=rule)
        .filter(days)
        .values("performed_on")
        .annotate(
            left=Count("pk", filter=Q(side=Side.LEFT)),
            right=Count("pk", filter=Q(side=Side.RIGHT)),
        )
        .order_by("performed_on")
    )
    return [r["performed_on"] for r in rows if not per_side or (r["left"] and r["right"])]


def set_meeting(
    *, patient_id: int, item: ProgramItem, level: int, rule: LadderLevel, per_side: bool, day: date
) -> SetLog | None:
    """The set with which the patient met ``rule`` on ``day`` (a day of ``days_meeting``): the
    first logged of those meeting it; for a per-side item, the later of each side's first
    (the day met the rule with it). What a prompt counted from that day names as the set
    that triggered it, whatever the order the sets were evaluated in. One query."""
    sets = _sets_meeting(patient_id=patient_id, item=item, level=level, rule=rule)
    sets = sets.filter(performed_on=day).order_by("logged_at", "pk")
    if not per_side:
        return sets.first()
    firsts: dict[str, SetLog] = {}
    for log in sets.filter(side__in=(Side.LEFT, Side.RIGHT)):
        firsts.setdefault(log.side, log)
    if len(firsts) < 2:
        return None
    return max(firsts.values(), key=lambda log: (log.logged_at, log.pk))


def _sets_meeting(
    *, patient_id: int, item: ProgramItem, level: int, rule: LadderLevel
) -> QuerySet[SetLog]:
    """The patient's sets at ``level`` of the item's track that meet ``rule`` on their own."""
    assert item.ladder is not None
    field = "reps" if rule.advance_rule == AdvanceRule.REPS else "hold_seconds"
    target = rule.target_for(item.ladder, hold_top(item))
    return SetLog.objects.filter(
        patient_id=patient_id, item__track=item.track, ladder_level=level,
        **{f"{field}__gte": target},
    )  # fmt: skip


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
