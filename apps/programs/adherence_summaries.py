"""Adherence over a period for many patients at once, in a fixed number of queries.

The same totals as the reference (``adherence.daily_adherence``), under the rule stated in
``apps.programs.adherence``: capped counts and fully completed days are read in SQL from the
daily totals (``DailyTotal``), and prescribed units and scheduled days are counted
arithmetically from the few program item rows (``adherence.patient_schedules``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, connections

from apps.core.db_router import read_alias
from apps.patients.models import Patient
from apps.programs.adherence import PatientSchedule, patient_schedules, percent, ratio, sql_date
from apps.programs.held_back import Window
from apps.programs.models import DailyTotal, ProgressionPrompt, PromptStatus

APPROVED_STATUSES = (PromptStatus.APPROVED, PromptStatus.AUTO_APPROVED)

# A window of one patient's days: (patient id, the window's number for that patient). A
# patient has one window, or several that share no day (the adherence report's parts of a
# patient looked after in turn by several therapists, ``window_summaries``).
Key = tuple[int, int]


@dataclass(frozen=True)
class AdherenceSummary:
    """A patient's totals over ``start``..``end`` (``end`` already cut at their local today).

    ``adherence`` is a ratio between 0 and 1 (four decimal places), None when nothing was
    prescribed. Pain and activity cover every log of the period, scheduled day or not.
    """

    patient_id: int
    start: date
    end: date
    prescribed: int = 0
    completed: int = 0
    scheduled_days: int = 0
    active_days: int = 0
    complete_days: int = 0
    last_activity: date | None = None
    pain_avg: Decimal | None = None
    pain_max: int | None = None
    progressions_approved: int = 0
    # What the average is made of: totals that add up across windows and patients.
    pain_sum: int = 0
    logs: int = 0

    @property
    def adherence(self) -> Decimal | None:
        return ratio(self.completed, self.prescribed)

    @property
    def adherence_percent(self) -> int | None:
        """Adherence as a whole percentage, for display."""
        return percent(self.completed, self.prescribed)


# Per window, in one pass over the period's daily totals (``DailyTotal``, one row per
# logged day): activity, pain, completed units and fully completed days. ``{group}`` says
# which group of windows a row is in: a constant when no patient is in two of them.
TOTALS_SQL = """
    SELECT t.patient_id, {group}, COUNT(*), MAX(t.day), SUM(t.logs), SUM(t.pain_sum),
           MAX(t.pain_max), SUM(t.completed),
           SUM(CASE WHEN t.prescribed > 0 AND t.completed >= t.prescribed THEN 1 ELSE 0 END)
    FROM {total} t
    WHERE {period}
    GROUP BY 1, 2
"""


def _totals_sql(group_sql: str, period_sql: str) -> str:
    """``TOTALS_SQL`` for these periods. Only the table name from the model and SQL built
    here are interpolated; every value is a query parameter."""
    table = DailyTotal._meta.db_table
    return TOTALS_SQL.format(total=table, group=group_sql, period=period_sql)  # nosec B608


@dataclass(frozen=True)
class _Totals:
    """What the logs say about one patient's window (see ``_totals_sql``)."""

    active_days: int = 0
    last_activity: date | None = None
    logs: int = 0
    pain_sum: int = 0
    pain_max: int | None = None
    completed: int = 0
    complete_days: int = 0

    @property
    def pain_avg(self) -> Decimal | None:
        if not self.logs:
            return None
        return (Decimal(self.pain_sum) / Decimal(self.logs)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _periods(windows: dict[Key, Window]) -> dict[Window, list[Key]]:
    """Windows grouped by their days (few groups: time zones differ by a day at most, and
    only a hand-over in the period gives a patient days of their own).

    Windows that end before they start have nothing to count and are left out."""
    groups: dict[Window, list[Key]] = defaultdict(list)
    for key, (start, cut) in windows.items():
        if cut >= start:
            groups[(start, cut)].append(key)
    return groups


def _window_tests(periods: dict[Window, list[Key]]) -> tuple[list[str], list[Any]]:
    """Per window group, SQL that is true for a log of one of its patients inside it."""
    tests, params = [], []
    adapt = connection.ops.adapt_datefield_value
    for (start, cut), keys in periods.items():
        marks = ", ".join(["%s"] * len(keys))
        tests.append(f"t.patient_id IN ({marks}) AND t.day BETWEEN %s AND %s")
        params.extend([*(pk for pk, _ in keys), adapt(start), adapt(cut)])
    return tests, params


def _period_sql(periods: dict[Window, list[Key]]) -> tuple[str, list[Any]]:
    tests, params = _window_tests(periods)
    return " OR ".join(f"({test})" for test in tests), params


def _group_sql(periods: dict[Window, list[Key]]) -> tuple[str, list[Any]]:
    """SQL for the number of a row's window group, when a patient has windows in two."""
    patients = [pk for keys in periods.values() for pk, _ in keys]
    if len(set(patients)) == len(patients):
        return "0", []
    tests, params = _window_tests(periods)
    cases = " ".join(f"WHEN {test} THEN {number}" for number, test in enumerate(tests))
    return f"CASE {cases} END", params


def _totals_row(values: Sequence[Any]) -> _Totals:
    return _Totals(
        active_days=int(values[0]),
        last_activity=sql_date(values[1]),
        logs=int(values[2]),
        pain_sum=int(values[3]),
        pain_max=None if values[4] is None else int(values[4]),
        completed=int(values[5]),
        complete_days=int(values[6]),
    )


def _totals(periods: dict[Window, list[Key]]) -> dict[Key, _Totals]:
    """Each window's totals."""
    group_sql, group_params = _group_sql(periods)
    sql, params = _period_sql(periods)
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(_totals_sql(group_sql, sql), group_params + params)
        rows = cursor.fetchall()
    numbered = group_sql != "0"
    keys = {
        (pk, number if numbered else 0): (pk, n)
        for number, group in enumerate(periods.values())
        for pk, n in group
    }
    return {keys[(row[0], row[1])]: _totals_row(row[2:9]) for row in rows}


def _approvals(patients: dict[int, Patient], windows: dict[Key, Window]) -> dict[Key, int]:
    """Approved or auto-approved prompts decided on a patient-local day of a window."""
    if not windows:
        return {}
    # One day wider on each side holds every time zone; the local day is checked below.
    lo = min(start for start, _ in windows.values()) - timedelta(days=1)
    hi = max(cut for _, cut in windows.values()) + timedelta(days=2)
    by_patient: dict[int, list[tuple[Key, Window]]] = defaultdict(list)
    for key, window in windows.items():
        by_patient[key[0]].append((key, window))
    decided = ProgressionPrompt.objects.filter(
        patient_id__in=list(by_patient),
        status__in=APPROVED_STATUSES,
        decided_at__range=(_utc_midnight(lo), _utc_midnight(hi)),
    ).values_list("patient_id", "decided_at")
    counts: dict[Key, int] = defaultdict(int)
    for patient_id, decided_at in decided:
        day = patients[patient_id].local_today(decided_at)
        for key, (start, cut) in by_patient[patient_id]:
            if start <= day <= cut:
                counts[key] += 1
    return counts


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo("UTC"))


def _counted(windows: dict[Key, Window]) -> dict[Key, Window]:
    return {key: window for key, window in windows.items() if window[1] >= window[0]}


def _schedules_for(windows: dict[Key, Window]) -> dict[int, PatientSchedule]:
    if not windows:
        return {}
    lo = min(start for start, _ in windows.values())
    hi = max(cut for _, cut in windows.values())
    patient_ids = list(dict.fromkeys(pk for pk, _ in windows))
    return patient_schedules(patient_ids=patient_ids, start=lo, end=hi)


def _summaries(
    patients: dict[int, Patient], windows: dict[Key, Window]
) -> dict[Key, AdherenceSummary]:
    counted = _counted(windows)
    schedules = _schedules_for(counted)
    totals = _totals(_periods(counted)) if counted else {}
    return _assemble(windows, schedules, totals, _approvals(patients, counted))


def _assemble(
    windows: dict[Key, Window],
    schedules: dict[int, PatientSchedule],
    totals: dict[Key, _Totals],
    approvals: dict[Key, int],
) -> dict[Key, AdherenceSummary]:
    """One summary per window from what was read (windows without rows get zeros)."""
    return {
        key: _summary(
            key[0],
            window,
            schedules.get(key[0], PatientSchedule()),
            totals.get(key, _Totals()),
            approvals.get(key, 0),
        )
        for key, window in windows.items()
    }


def _by_patient(summaries: dict[Key, AdherenceSummary]) -> dict[int, AdherenceSummary]:
    return {pk: summary for (pk, _), summary in summaries.items()}


def _summary(
    pk: int, window: Window, schedule: PatientSchedule, totals: _Totals, approvals: int
) -> AdherenceSummary:
    start, cut = window
    return AdherenceSummary(
        patient_id=pk,
        start=start,
        end=cut,
        prescribed=schedule.prescribed_units(start, cut),
        completed=totals.completed,
        scheduled_days=schedule.scheduled_days(start, cut),
        active_days=totals.active_days,
        complete_days=totals.complete_days,
        last_activity=totals.last_activity,
        pain_avg=totals.pain_avg,
        pain_max=totals.pain_max,
        progressions_approved=approvals,
        pain_sum=totals.pain_sum,
        logs=totals.logs,
    )


def summaries_for_patients(
    *, patients: Iterable[Patient], start: date, end: date
) -> dict[int, AdherenceSummary]:
    """``adherence_summaries`` for patients already loaded (``pk`` and ``time_zone``), in
    four queries (five when hip precautions apply to a ladder)."""
    by_id = {patient.pk: patient for patient in patients}
    windows = {(pk, 0): (start, min(end, p.local_today())) for pk, p in by_id.items()}
    return _by_patient(_summaries(by_id, windows))


def window_summaries(
    *, patients: Iterable[Patient], windows: dict[Key, Window]
) -> dict[Key, AdherenceSummary]:
    """Summaries of windows of days chosen by the caller, keyed as ``windows``: (patient
    id, number), a patient's windows sharing no day (a day in two would count twice in
    their sum). Each window is taken as given (cut it at the patient's local today first);
    ``patients`` are loaded with ``pk`` and ``time_zone``. In four queries (five when hip
    precautions apply to a ladder) whatever the number of patients and windows."""
    by_id = {patient.pk: patient for patient in patients}
    return _summaries(by_id, windows)


def _recent_windows(patients: dict[int, Patient], days: int) -> dict[Key, Window]:
    windows = {}
    for pk, patient in patients.items():
        today = patient.local_today()
        windows[(pk, 0)] = (today - timedelta(days=days - 1), today)
    return windows


def recent_summaries(*, patients: Iterable[Patient], days: int) -> dict[int, AdherenceSummary]:
    """Each patient's last ``days`` local days, today included, in four queries (five when
    hip precautions apply to a ladder)."""
    by_id = {patient.pk: patient for patient in patients}
    return _by_patient(_summaries(by_id, _recent_windows(by_id, days)))


def adherence_summaries(
    *, patient_ids: Iterable[int], start: date, end: date
) -> dict[int, AdherenceSummary]:
    """Adherence over ``start..end`` for many patients, keyed by patient id, in five queries
    (six when hip precautions apply to a ladder) whatever the number of patients, logs or
    days. Each patient's period ends at their own local today; ids that match no patient
    are missing from the result."""
    patients = Patient.objects.filter(pk__in=list(patient_ids)).only("pk", "time_zone")
    return summaries_for_patients(patients=patients, start=start, end=end)
