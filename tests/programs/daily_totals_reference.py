"""The daily totals as stored, and as the day-by-day reference computes them: the property
test and the upgrade test compare the two."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Sum

from apps.programs.adherence import daily_adherence
from apps.programs.models import DailyTotal, SetLog

# prescribed, completed, logs, highest pain, summed pain
Row = tuple[int, int, int, int, int]


def stored_totals(patient: Any, through: date | None = None) -> dict[date, Row]:
    """The stored rows (up to ``through``: a patient who moved west has logged days past
    their new today, which every reader leaves out until the day comes)."""
    rows = DailyTotal.objects.filter(patient=patient)
    if through is not None:
        rows = rows.filter(day__lte=through)
    return {
        row.day: (row.prescribed, row.completed, row.logs, row.pain_max, row.pain_sum)
        for row in rows
    }


def reference_totals(patient: Any, *, start: date, end: date) -> dict[date, Row]:
    """What the rows of the logged days from ``start`` to ``end`` must hold: the reference
    adherence (``daily_adherence``) with the day's summed pain."""
    days = daily_adherence(patient=patient, start=start, end=end)
    pain_sums = dict(
        SetLog.objects.filter(patient=patient)
        .values("performed_on")
        .annotate(total=Sum("pain"))
        .values_list("performed_on", "total")
    )
    return {
        d.date: (d.prescribed, d.completed, d.logs, d.pain_max, pain_sums[d.date])
        for d in days
        if d.logs
    }
