"""Adherence: how much of what was prescribed a patient did, day by day and over a period.

The rule (shared by the dashboard, the progress page and the exports):

- A day ``d`` counts only up to the patient's local today. On ``d`` every item active on ``d``
  (``item.is_active_on(d)``) of a program scheduled on ``d`` (``program.is_scheduled_on(d)``)
  prescribes ``sets`` units, or ``sets * 2`` for a per-side item (one unit per side per set).
- Completed units for an item on ``d`` are ``min(sets, logs)`` counted per side (``left`` and
  ``right``) for a per-side item, or over all its logs otherwise; logs are matched by
  ``item_id`` and ``performed_on``. Extra sets never count twice.
- An item whose exercise the patient's hip precautions hold back on ``d`` (a conflict and no
  override: Today leaves it out, and its sets cannot be logged) prescribes nothing that day,
  so it is neither expected nor counted.
- Adherence is completed / prescribed (None when nothing was prescribed). A day is complete
  when completed >= prescribed > 0. Logs on other days are activity, not adherence.

A *scheduled day* here is a day on which something is prescribed (prescribed > 0).

``daily_adherence`` walks one patient's days in Python with the model methods; it is the
reference. ``adherence_summaries.adherence_summaries`` computes the same totals for many
patients in a fixed number of queries: capped counts and fully completed days are computed in
SQL, and prescribed units and scheduled days are counted arithmetically from the few program
item rows (``patient_schedules`` here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.db import connection
from django.db.models import Count, Max

from apps.exercises.models import LadderLevel
from apps.patients.models import HipPrecaution, Patient, Side
from apps.patients.selectors import precautions_between
from apps.programs.held_back import (
    ROW_FIELDS,
    ItemSpan,
    Window,
    held_back_days,
    item_span,
    precautions_by_patient,
    prescribing_items,
    span_without,
    weekdays_in,
)
from apps.programs.level_history import (
    Changes,
    changes_needed,
    changes_of,
    level_from_changes,
)
from apps.programs.models import (
    DailyTotal,
    ProgramItem,
    SetLog,
)
from apps.programs.selectors import allowed, exercise_for, ladder_levels

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class DayAdherence:
    """One patient-local day. ``scheduled`` means something was prescribed that day."""

    date: date
    scheduled: bool
    prescribed: int
    completed: int
    complete: bool
    pain_max: int | None
    logs: int


def ratio(completed: int, prescribed: int) -> Decimal | None:
    if prescribed <= 0:
        return None
    return (Decimal(completed) / Decimal(prescribed)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def ratio_units(completed: int, prescribed: int) -> int | None:
    """``ratio`` in ten-thousandths, as an integer (the same rounding, half up, without
    building Decimals: a dashboard computes hundreds of them)."""
    if prescribed <= 0:
        return None
    return (2 * completed * 10000 + prescribed) // (2 * prescribed)


def percent(completed: int, prescribed: int) -> int | None:
    """The ratio as a whole percentage, rounded half up from the ratio's four places (as
    every page has shown it: ``round(ratio * 100)``)."""
    units = ratio_units(completed, prescribed)
    if units is None:
        return None
    return (2 * units + 100) // 200


# --- Schedules: prescribed units and scheduled days, counted without walking days ----------


@dataclass
class PatientSchedule:
    """What one patient is prescribed, from their program item rows. ``held_back``: per item
    row id, the days (inclusive ranges) its exercise is held back by hip precautions; the
    spans already leave them out."""

    spans: list[ItemSpan] = field(default_factory=list)
    held_back: dict[int, list[Window]] = field(default_factory=dict)

    def prescribed_units(self, start: date, end: date) -> int:
        return sum(
            span.units * weekdays_in(*span.days_in(start, end), span.weekdays)
            for span in self.spans
        )

    def prescribed_on(self, day: date) -> int:
        return sum(
            span.units
            for span in self.spans
            if span.lo <= day
            and (span.hi is None or day <= span.hi)
            and span.weekdays >> day.weekday() & 1
        )

    def scheduled_days(self, start: date, end: date) -> int:
        """Days in ``start..end`` on which at least one item is prescribed."""
        if end < start:
            return 0
        cuts = {start, end + timedelta(days=1)}
        for span in self.spans:
            lo, hi = span.days_in(start, end)
            if lo <= hi:
                cuts.update((lo, hi + timedelta(days=1)))
        bounds = sorted(cuts)
        return sum(self._segment_days(a, b - timedelta(days=1)) for a, b in pairwise(bounds))

    def _segment_days(self, lo: date, hi: date) -> int:
        # Within a segment every span is either fully in or fully out, so the union of the
        # weekday masks of the spans that cover it says which of its days are scheduled.
        mask = 0
        for span in self.spans:
            if span.lo <= lo and (span.hi is None or hi <= span.hi):
                mask |= span.weekdays
        return weekdays_in(lo, hi, mask)


def patient_schedules(
    *, patient_ids: Iterable[int], start: date, end: date
) -> dict[int, PatientSchedule]:
    """Each patient's prescription over ``start..end``, in one query (patients with none are
    missing from the result)."""
    ids = list(patient_ids)
    rows = list(prescribing_items(ids, start, end).values(*ROW_FIELDS))
    precautions = precautions_by_patient(ids, start, end) if rows else {}
    held = held_back_days(rows, precautions, start, end)
    schedules: dict[int, PatientSchedule] = defaultdict(PatientSchedule)
    for row in rows:
        schedule = schedules[row["program__patient_id"]]
        schedule.spans.extend(span_without(item_span(row), held.get(row["id"], [])))
        if row["id"] in held:
            schedule.held_back[row["id"]] = held[row["id"]]
    return dict(schedules)


def held_back_windows(
    *, patient_ids: Iterable[int], start: date, end: date
) -> dict[int, list[Window]]:
    """Per item row of these patients, the days of ``start..end`` on which hip precautions
    hold its exercise back (``PatientSchedule.held_back``), for ``prescribed_on_sql``. One
    query when none of them has precautions in force then, the usual case."""
    ids = list(patient_ids)
    with_precautions = set(
        HipPrecaution.objects.filter(
            patient_id__in=ids, starts_on__lte=end, ends_on__gt=start
        ).values_list("patient_id", flat=True)
    )
    if not with_precautions:
        return {}
    schedules = patient_schedules(patient_ids=with_precautions, start=start, end=end)
    return {pk: days for s in schedules.values() for pk, days in s.held_back.items()}


# --- One patient, day by day (the reference) -------------------------------------------------


def _capped_units(item: ProgramItem, counts: dict[str, int]) -> int:
    if item.per_side:
        return sum(min(item.sets, counts.get(side, 0)) for side in (Side.LEFT, Side.RIGHT))
    return min(item.sets, sum(counts.values()))


def _day(
    day: date,
    items: Sequence[ProgramItem],
    counts: dict[tuple[int, date], dict[str, int]],
    precautions: list[HipPrecaution],
    levels: dict[tuple[int, int], LadderLevel],
    changes: Changes,
) -> tuple[int, int]:
    prescribed = completed = 0
    in_force = [precaution for precaution in precautions if precaution.is_in_force(day)]
    for item in items:
        track_changes = changes_of(changes, item, item.program.patient_id)
        level = level_from_changes(item, day, track_changes) if in_force else None
        exercise, _ = exercise_for(item, day, levels, level=level)
        if in_force and exercise is not None and not allowed(item, exercise, in_force):
            continue  # held back by the hip precautions: Today leaves it out
        if item.program.is_scheduled_on(day) and item.is_active_on(day):
            prescribed += item.sets * (2 if item.per_side else 1)
            completed += _capped_units(item, counts.get((item.pk, day), {}))
    return prescribed, completed


def daily_adherence(*, patient: Patient, start: date, end: date) -> list[DayAdherence]:
    """Every day of ``start..end`` up to the patient's local today, in five queries at most
    (items, logs, hip precautions, ladder levels, and the level changes of the ladders whose
    last change was made after ``start``: a day's exercise is its own level's)."""
    end = min(end, patient.local_today())
    items = list(prescribing_items([patient.pk], start, end).select_related("program", "exercise"))
    precautions = precautions_between(patient=patient, first=start, last=end) if items else []
    ladder_ids = {item.ladder_id for item in items if item.ladder_id}
    levels = ladder_levels(ladder_ids) if precautions and ladder_ids else {}
    changes = changes_needed(items=items, patient_id=patient.pk, first=start) if levels else {}
    counts: dict[tuple[int, date], dict[str, int]] = defaultdict(dict)
    pain: dict[date, int] = {}
    logs: dict[date, int] = defaultdict(int)
    rows = (
        SetLog.objects.filter(patient=patient, performed_on__range=(start, end))
        .values("item_id", "performed_on", "side")
        .annotate(n=Count("id"), pain_max=Max("pain"))
        .order_by()
    )
    for row in rows:
        day = row["performed_on"]
        counts[(row["item_id"], day)][row["side"]] = row["n"]
        logs[day] += row["n"]
        pain[day] = max(pain.get(day, 0), row["pain_max"])
    days = []
    for offset in range(max((end - start).days + 1, 0)):
        day = start + timedelta(days=offset)
        prescribed, completed = _day(day, items, counts, precautions, levels, changes)
        days.append(
            DayAdherence(
                date=day,
                scheduled=prescribed > 0,
                prescribed=prescribed,
                completed=completed,
                complete=completed >= prescribed > 0,
                pain_max=pain.get(day),
                logs=logs[day],
            )
        )
    return days


def daily_totals(*, patient: Patient, start: date, end: date) -> list[DayAdherence]:
    """``daily_adherence`` read from the daily totals (``DailyTotal``) and the program rows,
    in two queries: what History and the progress charts show."""
    end = min(end, patient.local_today())
    schedule = patient_schedules(patient_ids=[patient.pk], start=start, end=end).get(
        patient.pk, PatientSchedule()
    )
    rows = {
        row.day: row for row in DailyTotal.objects.filter(patient=patient, day__range=(start, end))
    }
    days = []
    for offset in range(max((end - start).days + 1, 0)):
        day = start + timedelta(days=offset)
        row = rows.get(day)
        days.append(_from_total(day, row) if row else _unlogged(day, schedule.prescribed_on(day)))
    return days


def _from_total(day: date, row: DailyTotal) -> DayAdherence:
    return DayAdherence(
        date=day,
        scheduled=row.prescribed > 0,
        prescribed=row.prescribed,
        completed=row.completed,
        complete=row.complete,
        pain_max=row.pain_max,
        logs=row.logs,
    )


def _unlogged(day: date, prescribed: int) -> DayAdherence:
    return DayAdherence(
        date=day,
        scheduled=prescribed > 0,
        prescribed=prescribed,
        completed=0,
        complete=False,
        pain_max=None,
        logs=0,
    )


# --- Many patients at once: the rule in SQL --------------------------------------------------


def weekday_sql(column: str) -> str:
    """SQL for the Monday-based weekday number (0-6) of a date column."""
    if connection.vendor == "postgresql":
        # Days since a Monday, modulo 7 (made positive for earlier dates): integer arithmetic,
        # where EXTRACT builds a numeric for every row (the dashboard checks 19,000 item-days).
        return f"((({column} - DATE '2000-01-03') %% 7 + 7) %% 7)"
    return f"((CAST(strftime('%%w', {column}) AS INTEGER) + 6) %% 7)"


def held_back_sql(day: str, held: dict[int, list[Window]], item: str = "i") -> str:
    """True while item ``item`` is held back by hip precautions on ``day``
    (``held_back.held_back_days``). Only integers and ISO dates from the database are written
    into the SQL."""
    tests = [
        f"({item}.id = {int(pk)} AND {day} BETWEEN '{lo.isoformat()}' AND '{hi.isoformat()}')"
        for pk, ranges in sorted(held.items())
        for lo, hi in ranges
    ]
    return " OR ".join(tests) or "1 = 0"


def prescribed_on_sql(
    day: str, held: dict[int, list[Window]] | None = None, *, program: str = "p", item: str = "i"
) -> str:
    """The conditions under which item ``i`` of program ``p`` prescribes on ``day`` (other
    aliases, the same one for both when a query has joined them already, as given)."""
    p, i = program, item
    return f"""
        {p}.is_template = FALSE AND {p}.is_active = TRUE
        AND {p}.start_date <= {day} AND ({p}.end_date IS NULL OR {day} <= {p}.end_date)
        AND ({i}.active_from IS NULL OR {i}.active_from <= {day})
        AND ({i}.active_until IS NULL OR {day} <= {i}.active_until)
        AND (({p}.weekdays >> {weekday_sql(day)}) & 1) = 1
        AND NOT ({held_back_sql(day, held or {}, i)})
    """


def scheduled_days_sql(*, today: str, nearest: str, farthest: str, weekdays: str) -> str:
    """PostgreSQL: how many of the days ``nearest`` to ``farthest`` days before ``today``
    (offsets, both included; none when ``farthest`` < ``nearest``) fall on a weekday of the
    ``weekdays`` mask (bit 0 Monday), counted by arithmetic instead of day by day.

    The range holds whole weeks, in which each weekday comes once, and a remainder of fewer
    than seven days starting on the weekday of its oldest day: its weekdays are a run of
    bits, wrapped past Sunday. The caller narrows the range to the days an item and its
    program run (the dates of ``prescribed_on_sql``); it stays exact only for items no hip
    precaution holds back, which the caller walks day by day. Counted this way, the dashboard's
    figures for 200 patients took 6.0 ms instead of 10.2 (it had walked 18,910 item-days;
    bench/README.md, "Eleventh session"); ``tests/reports/test_dashboard_figures_property.py``
    holds it to the rule."""
    days = f"GREATEST(({farthest}) - ({nearest}) + 1, 0)"
    oldest = weekday_sql(f"(({today}) - ({farthest}))")
    run = f"((((1 << ({days} %% 7)) - 1) << {oldest}))"  # the remainder's weekdays, unwrapped
    remainder = f"(({run} | ({run} >> 7)) & 127)"
    mask = f"(({weekdays})::int & 127)"
    return f"(({days} / 7) * bit_count({mask}::bit(7)) + bit_count(({mask} & {remainder})::bit(7)))"


def sql_date(value: date | str | None) -> date | None:
    """A date from raw SQL: SQLite hands dates back as ISO strings, PostgreSQL as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value
