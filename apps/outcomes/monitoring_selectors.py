"""Reads for remote monitoring: whether a clinic runs it, the month's summary of each
patient's 30-day periods with days of data, minutes and live contact, and the time log.

The writes (turning it on, logging minutes) are in ``monitoring_services``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum

from apps.clinics.models import User
from apps.outcomes.models import MonitoringSettings, TimeEntry
from apps.patients.models import Patient
from apps.programs.models import DailyTotal

MONITORING_PERIOD_DAYS = 30


def monitoring_enabled(*, clinic_id: int) -> bool:
    return MonitoringSettings.objects.filter(clinic_id=clinic_id, enabled=True).exists()


Period = tuple[date, date]


@dataclass(frozen=True)
class MonitoringRow:
    """One 30-day period of a patient reported in the month, with the month's minutes and
    live contact on the patient's first row of the month only (``None`` on the others: the
    calendar month's management time is one figure, never to be counted twice). A patient
    with minutes in a month in which none of their periods ends has one row without a
    period (``period_start`` and ``data_days`` None)."""

    patient_ref: str
    patient_name: str
    period_start: date | None
    period_end: date | None
    data_days: int | None
    minutes: int | None
    live_interaction: bool | None
    # The period has not ended (it ends today or later): its days are so far, its band may
    # still rise, and no device-supply code is suggested for it yet.
    running: bool = False

    @property
    def day_band(self) -> str:
        """Which device-supply threshold the 30-day period reaches (a guide only)."""
        if self.data_days is None:
            return ""
        if self.data_days >= 16:
            return "16-30 days"
        if self.data_days >= 2:
            return "2-15 days"
        return "under 2 days"


def _periods_in(first_day: date, month_start: date, month_end: date, today: date) -> list[Period]:
    """The 30-day monitoring periods (counted from the first day of data) reported in the
    month: each in the month in which it ends, so that every period is in exactly one
    month's summary (a 31-day month can hold the ends of two, February none); in the
    clinic's current month also the period running today, its days so far."""
    days = MONITORING_PERIOD_DAYS
    # The first period ending on or after the month's first day.
    number = max(0, -(-((month_start - first_day).days - (days - 1)) // days))
    periods = []
    while (end := first_day + timedelta(days=number * days + days - 1)) <= month_end:
        periods.append((end - timedelta(days=days - 1), end))
        number += 1
    if month_start <= today <= month_end and first_day <= today:
        running = first_day + timedelta(days=(today - first_day).days // days * days)
        if running + timedelta(days=days - 1) > month_end:
            periods.append((running, running + timedelta(days=days - 1)))
    return periods


def monitoring_summary(*, user: User, month: date, today: date) -> list[MonitoringRow]:
    """Per patient of the user's clinic: the days with logged data in each 30-day period
    reported in ``month`` (``_periods_in``: those ending in it, and the one running on
    ``today``, the clinic's date, in its current month), and the month's minutes and live
    contact.

    Three grouped queries whatever the number of patients, over the daily totals (one row
    per patient and day with logged data) rather than the set logs."""
    month_start = month.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=True)
    firsts = dict(
        DailyTotal.objects.filter(patient__in=patients, day__lte=month_end)
        .values("patient_id")
        .annotate(first=Min("day"))
        .values_list("patient_id", "first")
    )
    periods = {
        pid: _periods_in(first, month_start, month_end, today) for pid, first in firsts.items()
    }
    days = _data_days(periods)
    time = _month_time(patients, month_start, month_end)
    rows = []
    for patient in patients.order_by("full_name", "pk"):
        ref, name = str(patient.public_id), patient.full_name
        minutes, live = time.get(patient.pk, (0, False))
        own: list[Period | None] = [*periods.get(patient.pk, [])]
        if not own and patient.pk in time:
            own = [None]
        for number, period in enumerate(own):
            first_row = number == 0
            rows.append(
                MonitoringRow(
                    ref, name, period[0] if period else None, period[1] if period else None,
                    days.get((patient.pk, period[0]), 0) if period else None,
                    minutes if first_row else None, live if first_row else None,
                    running=period is not None and period[1] >= today,
                )
            )  # fmt: skip
    return rows


def _data_days(periods: dict[int, list[Period]]) -> dict[tuple[int, date], int]:
    """Days with data per (patient, period start)."""
    spans = [span for own in periods.values() for span in own]
    if not spans:
        return {}
    lo = min(start for start, _ in spans)
    hi = max(end for _, end in spans)
    rows = (
        DailyTotal.objects.filter(patient_id__in=list(periods), day__range=(lo, hi))
        .values_list("patient_id", "day")
        .order_by()
    )
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for patient_id, day in rows:
        for start, end in periods[patient_id]:
            if start <= day <= end:
                counts[(patient_id, start)] += 1
    return counts


def _month_time(patients: Any, start: date, end: date) -> dict[int, tuple[int, bool]]:
    rows = (
        TimeEntry.objects.filter(patient__in=patients, on__range=(start, end))
        .values("patient_id")
        .annotate(
            minutes=Sum("minutes"),
            live=Count("id", filter=Q(live_interaction=True)),
        )
    )
    return {r["patient_id"]: (r["minutes"] or 0, r["live"] > 0) for r in rows}


def time_entries_newest_first(*, patient: Patient) -> QuerySet[TimeEntry]:
    """The patient's whole time log, newest first, in an order that pages stably."""
    return (
        TimeEntry.objects.filter(patient=patient)
        .select_related("therapist")
        .order_by("-on", "-created_at", "-pk")
    )


def time_entries(*, patient: Patient, limit: int = 50) -> list[TimeEntry]:
    return list(time_entries_newest_first(patient=patient)[:limit])
