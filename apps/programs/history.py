"""The patient's own summary of past days: the streak and this week's adherence.

Both follow the shared adherence rule, read from the daily totals
(``apps.programs.adherence.daily_totals``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from apps.patients.models import Patient
from apps.programs.adherence import DayAdherence, daily_totals, ratio

# The streak looks back at most this far (one query either way; a longer streak shows as 365).
STREAK_HORIZON_DAYS = 365


def streak_length(days: Sequence[DayAdherence], today: date) -> int:
    """Consecutive complete scheduled days ending today or yesterday.

    Unscheduled days neither count nor break the streak. Today, while not yet complete,
    does not break it either: the patient still has the rest of the day.
    """
    count = 0
    for day in sorted(days, key=lambda d: d.date, reverse=True):
        if day.date > today or not day.scheduled:
            continue
        if day.complete:
            count += 1
        elif day.date != today:
            break
    return count


def streak_once_today_is_done(*, patient: Patient, today: date) -> int:
    """The streak the patient has once today is complete (the Today page says it as the day
    is done): the complete scheduled days before today, in a row, plus today. Three
    queries (``daily_totals``), on a Today cache miss only."""
    days = daily_totals(
        patient=patient, start=today - timedelta(days=STREAK_HORIZON_DAYS), end=today
    )
    before = streak_length([d for d in days if d.date < today], today)
    return before + 1


@dataclass(frozen=True)
class WeekAdherence:
    start: date
    prescribed: int
    completed: int
    complete_days: int
    scheduled_days: int

    @property
    def percent(self) -> int | None:
        value = ratio(self.completed, self.prescribed)
        return None if value is None else round(value * 100)


def week_adherence(days: Sequence[DayAdherence], today: date) -> WeekAdherence:
    """Adherence from this week's Monday up to today (patient-local)."""
    monday = today - timedelta(days=today.weekday())
    week = [d for d in days if monday <= d.date <= today]
    return WeekAdherence(
        start=monday,
        prescribed=sum(d.prescribed for d in week),
        completed=sum(d.completed for d in week),
        complete_days=sum(1 for d in week if d.complete),
        scheduled_days=sum(1 for d in week if d.scheduled),
    )


@dataclass(frozen=True)
class HistorySummary:
    today: date
    streak: int
    week: WeekAdherence
    days: dict[date, DayAdherence]


def history_summary(*, patient: Patient) -> HistorySummary:
    """The streak, this week's adherence and each day's totals for the last year."""
    today = patient.local_today()
    days = daily_totals(
        patient=patient, start=today - timedelta(days=STREAK_HORIZON_DAYS), end=today
    )
    return HistorySummary(
        today=today,
        streak=streak_length(days, today),
        week=week_adherence(days, today),
        days={d.date: d for d in days},
    )
