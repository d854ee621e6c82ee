"""Reads for the therapist dashboard and the patient progress page.

Every function runs a fixed number of queries whatever the number of patients, days or logs;
adherence comes from ``apps.programs.adherence`` (the shared rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Min, OuterRef, Q, QuerySet, Subquery

from apps.clinics.models import Clinic, Role, User
from apps.exercises.models import LadderLevel
from apps.patients.models import Patient, PatientQuerySet
from apps.programs.adherence import (
    AdherenceSummary,
    PatientSchedule,
    daily_totals,
    recent_short_and_long,
)
from apps.programs.models import (
    Compared,
    DailyTotal,
    LevelChange,
    MorningCheck,
    Program,
    ProgramItem,
    ProgressionPrompt,
    PromptStatus,
    SetLog,
)

WEEK_DAYS = 7
MONTH_DAYS = 30
# Flags: this many scheduled days in a row without a log, and adherence under this share.
MISSED_DAYS_FLAG = 3
LOW_ADHERENCE_PERCENT = 50


class InvalidSort(ValueError):
    """The requested sort is not one the dashboard offers."""


@dataclass(frozen=True)
class LadderStatus:
    ladder: str
    level: int
    top: int


@dataclass(frozen=True)
class Flag:
    code: str
    label: str


@dataclass
class DashboardRow:
    """One patient on the dashboard."""

    patient: Patient
    week: AdherenceSummary
    month: AdherenceSummary
    last_activity: date | None
    missed_days: int
    pending_prompts: int
    ladders: list[LadderStatus] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    worse_morning: date | None = None


def dashboard_patients(*, user: User, therapist: User | None = None) -> PatientQuerySet:
    """The patients on the user's dashboard: a therapist's own; an admin's clinic's, or one
    therapist's when ``therapist`` is given. Archived patients are left out."""
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=True)
    if not user.is_clinic_staff:
        return patients.none()
    if user.is_therapist:
        return patients.filter(therapist=user)
    if therapist is not None:
        return patients.filter(therapist=therapist)
    return patients


def _last_activity(ids: list[int]) -> dict[int, date]:
    """Each patient's latest log day, ever: one lookup per patient in the daily totals'
    (patient, day) index, a row per logged day rather than per set."""
    newest = DailyTotal.objects.filter(patient=OuterRef("pk")).order_by("-day").values("day")[:1]
    rows = Patient.objects.filter(pk__in=ids).annotate(last=Subquery(newest))
    return {pk: last for pk, last in rows.values_list("pk", "last") if last is not None}


def _pending_prompts(ids: list[int]) -> dict[int, int]:
    rows = (
        ProgressionPrompt.objects.filter(patient_id__in=ids, status=PromptStatus.PENDING)
        .values("patient_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["patient_id"]: row["n"] for row in rows}


def _worse_mornings(ids: list[int], since: date) -> dict[int, date]:
    """Each patient's latest "worse" next-morning answer since ``since`` (one query)."""
    worse = Q(hip=Compared.WORSE) | Q(stiffness=Compared.WORSE)
    rows = (
        MorningCheck.objects.filter(worse, patient_id__in=ids, local_date__gte=since)
        .values("patient_id")
        .annotate(last=Max("local_date"))
        .order_by()
    )
    return {row["patient_id"]: row["last"] for row in rows}


def _ladders(patients: dict[int, Patient]) -> dict[int, list[LadderStatus]]:
    """Each patient's ladder items in force today, with the level prescribed today."""
    earliest = min(patient.local_today() for patient in patients.values())
    items = list(
        ProgramItem.objects.filter(
            program__patient_id__in=list(patients),
            program__is_template=False,
            program__is_active=True,
            ladder__isnull=False,
        )
        .exclude(active_until__lt=earliest)
        .select_related("program", "ladder")
        .order_by("program__start_date", "position", "pk")
    )
    # The number of levels per ladder in a query of its own: counting them on the item rows
    # made PostgreSQL group every selected column of every item.
    tops = dict(
        LadderLevel.objects.filter(ladder_id__in={item.ladder_id for item in items})
        .values("ladder_id")
        .annotate(n=Count("id"))
        .values_list("ladder_id", "n")
        .order_by()
    )
    ladders: dict[int, list[LadderStatus]] = defaultdict(list)
    for item in items:
        patient = patients[item.program.patient_id or 0]
        today = patient.local_today()
        ended = item.program.end_date is not None and item.program.end_date < today
        if ended or not item.is_active_on(today) or item.ladder is None:
            continue
        level = item.level_on(today) or 1
        status = LadderStatus(item.ladder.name, level, tops.get(item.ladder_id or 0, 0))
        ladders[patient.pk].append(status)
    return ladders


def _missed_days(
    patients: dict[int, Patient], last: dict[int, date], schedules: dict[int, PatientSchedule]
) -> dict[int, int]:
    """Scheduled days since the last log (or in the last 30 days), up to yesterday: today
    may still be done. ``schedules`` must cover each patient's last 30 days."""
    missed = {}
    for pk, schedule in schedules.items():
        today = patients[pk].local_today()
        since = today - timedelta(days=MONTH_DAYS)
        if pk in last:
            since = max(since, last[pk] + timedelta(days=1))
        missed[pk] = schedule.scheduled_days(since, today - timedelta(days=1))
    return missed


def _flags(row: DashboardRow, clinic: Clinic) -> list[Flag]:
    flags = []
    if row.missed_days >= MISSED_DAYS_FLAG:
        flags.append(Flag("missed", f"{row.missed_days} scheduled days missed"))
    if row.week.pain_max is not None and row.week.pain_max >= clinic.pain_alert_level:
        flags.append(Flag("pain", f"Pain {row.week.pain_max}/10"))
    if row.worse_morning is not None:
        flags.append(Flag("worse", f"Worse next morning ({row.worse_morning:%a %-d %b})"))
    percent = row.week.adherence_percent
    if percent is not None and percent < LOW_ADHERENCE_PERCENT:
        flags.append(Flag("low", f"Low adherence ({percent}%)"))
    return flags


def dashboard_rows(
    *, user: User, clinic: Clinic, therapist: User | None = None, sort: str = "name"
) -> list[DashboardRow]:
    """The dashboard's rows, sorted by ``sort`` (a key of ``SORTS``, ``-`` first for
    descending; raises ``InvalidSort`` otherwise). Fixed number of queries."""
    key = sort_key(sort)
    patients = list(dashboard_patients(user=user, therapist=therapist).select_related("therapist"))
    if not patients:
        return []
    by_id = {patient.pk: patient for patient in patients}
    ids = list(by_id)
    earliest = min(patient.local_today() for patient in patients)
    recent = recent_short_and_long(
        patients=patients,
        short_days=WEEK_DAYS,
        long_days=MONTH_DAYS,
        schedule_from=earliest - timedelta(days=MONTH_DAYS),
    )
    week, month = recent.short, recent.long
    last = _last_activity(ids)
    missed = _missed_days(by_id, last, recent.schedules)
    prompts = _pending_prompts(ids)
    ladders = _ladders(by_id)
    worse = _worse_mornings(ids, earliest - timedelta(days=WEEK_DAYS - 1))
    rows = []
    for patient in patients:
        row = DashboardRow(
            patient=patient,
            week=week[patient.pk],
            month=month[patient.pk],
            last_activity=last.get(patient.pk),
            missed_days=missed.get(patient.pk, 0),
            pending_prompts=prompts.get(patient.pk, 0),
            ladders=ladders.get(patient.pk, []),
            worse_morning=worse.get(patient.pk),
        )
        row.flags = _flags(row, clinic)
        rows.append(row)
    return key(rows)


# --- Sorting -------------------------------------------------------------------------------

SORTS: dict[str, Callable[[DashboardRow], Any]] = {
    "name": lambda r: r.patient.full_name.casefold(),
    "therapist": lambda r: str(r.patient.therapist).casefold(),
    "week": lambda r: r.week.adherence,
    "month": lambda r: r.month.adherence,
    "last_activity": lambda r: r.last_activity,
    "ladders": lambda r: max((ladder.level for ladder in r.ladders), default=None),
    "prompts": lambda r: r.pending_prompts,
    "flags": lambda r: len(r.flags),
}


def sort_key(sort: str) -> Callable[[list[DashboardRow]], list[DashboardRow]]:
    """A function sorting rows by ``sort``; empty values always last, then by name."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise InvalidSort(
            f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}, optionally with a leading '-'."
        )
    value = SORTS[column]

    def order(rows: list[DashboardRow]) -> list[DashboardRow]:
        rows = sorted(rows, key=SORTS["name"])
        present = [row for row in rows if value(row) is not None]
        empty = [row for row in rows if value(row) is None]
        return sorted(present, key=value, reverse=descending) + empty

    return order


def clinic_therapists(*, user: User) -> QuerySet[User]:
    """The therapists of the user's clinic, for the dashboard's filter."""
    if not user.is_clinic_staff or user.clinic_id is None:
        return User.objects.none()
    return User.objects.filter(
        clinic_id=user.clinic_id, role=Role.THERAPIST, is_active=True
    ).order_by("full_name", "email")


# --- Patient progress ----------------------------------------------------------------------

PROGRESS_DAYS = 365


@dataclass(frozen=True)
class WeekAdherence:
    start: date
    prescribed: int
    completed: int

    @property
    def percent(self) -> int | None:
        summary = AdherenceSummary(
            patient_id=0,
            start=self.start,
            end=self.start,
            prescribed=self.prescribed,
            completed=self.completed,
        )
        return summary.adherence_percent


@dataclass(frozen=True)
class RepsPoint:
    day: date
    level: int | None
    best_reps: int


@dataclass(frozen=True)
class LevelMark:
    day: date
    from_level: int
    to_level: int
    reason: str


@dataclass
class LadderProgress:
    """One ladder item (all rows of its track): best reps per set each day, and level changes."""

    name: str
    points: list[RepsPoint] = field(default_factory=list)
    changes: list[LevelMark] = field(default_factory=list)


@dataclass(frozen=True)
class PainPoint:
    day: date
    pain_max: int
    pain_avg: Decimal


@dataclass
class PatientProgress:
    start: date
    end: date
    weeks: list[WeekAdherence]
    ladders: list[LadderProgress]
    pain: list[PainPoint]

    def chart_data(self) -> dict[str, Any]:
        """The charts' data as JSON-ready values (for ``json_script``)."""
        return {
            "weeks": [
                {
                    "start": w.start.isoformat(),
                    "percent": w.percent,
                    "completed": w.completed,
                    "prescribed": w.prescribed,
                }
                for w in self.weeks
            ],
            "ladders": [
                {
                    "name": ladder.name,
                    "points": [
                        {"day": p.day.isoformat(), "level": p.level, "reps": p.best_reps}
                        for p in ladder.points
                    ],
                    "changes": [
                        {"day": c.day.isoformat(), "from": c.from_level, "to": c.to_level}
                        for c in ladder.changes
                    ],
                }
                for ladder in self.ladders
            ],
            "pain": [
                {"day": p.day.isoformat(), "max": p.pain_max, "avg": float(p.pain_avg)}
                for p in self.pain
            ],
        }


def _progress_start(patient: Patient, today: date) -> date | None:
    """The Monday of the week the first program started (at most a year back); None when the
    patient has no program."""
    first = Program.objects.filter(patient=patient, is_template=False).aggregate(
        first=Min("start_date")
    )["first"]
    if first is None:
        return None
    start = max(first, today - timedelta(days=PROGRESS_DAYS - 1))
    return start - timedelta(days=start.weekday())


def _weeks(patient: Patient, start: date, today: date) -> list[WeekAdherence]:
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day in daily_totals(patient=patient, start=start, end=today):
        week = totals[day.date - timedelta(days=day.date.weekday())]
        week[0] += day.prescribed
        week[1] += day.completed
    return [
        WeekAdherence(start=week, prescribed=p, completed=c)
        for week, (p, c) in sorted(totals.items())
    ]


def _ladder_progress(patient: Patient, start: date) -> list[LadderProgress]:
    """Best reps in one set per day and level for each ladder track, with its level changes."""
    ladders: dict[Any, LadderProgress] = {}
    rows = (
        SetLog.objects.filter(
            patient=patient, performed_on__gte=start, item__ladder__isnull=False, reps__isnull=False
        )
        .values("item__track", "item__ladder__name", "performed_on", "ladder_level")
        .annotate(best=Max("reps"))
        .order_by("performed_on", "ladder_level")
    )
    for row in rows:
        ladder = ladders.setdefault(
            row["item__track"], LadderProgress(name=row["item__ladder__name"])
        )
        ladder.points.append(RepsPoint(row["performed_on"], row["ladder_level"], row["best"]))
    changes = (
        LevelChange.objects.filter(
            item__program__patient=patient,
            item__program__is_template=False,
            effective_on__gte=start,
        )
        .select_related("item__ladder")
        .order_by("effective_on", "created_at")
    )
    for change in changes:
        name = change.item.ladder.name if change.item.ladder else ""
        ladder = ladders.setdefault(change.item.track, LadderProgress(name=name))
        ladder.changes.append(
            LevelMark(change.effective_on, change.from_level, change.to_level, change.reason)
        )
    return sorted(ladders.values(), key=lambda ladder: ladder.name)


def _pain(patient: Patient, start: date) -> list[PainPoint]:
    rows = (
        SetLog.objects.filter(patient=patient, performed_on__gte=start)
        .values("performed_on")
        .annotate(top=Max("pain"), mean=Avg("pain"))
        .order_by("performed_on")
    )
    return [
        PainPoint(
            row["performed_on"],
            row["top"],
            Decimal(str(row["mean"])).quantize(Decimal("0.1"), ROUND_HALF_UP),
        )
        for row in rows
    ]


def patient_progress(*, patient: Patient) -> PatientProgress:
    """Weekly adherence, ladder progress and pain since the patient's first program (at most
    a year), in six queries."""
    today = patient.local_today()
    start = _progress_start(patient, today)
    if start is None:
        return PatientProgress(start=today, end=today, weeks=[], ladders=[], pain=[])
    return PatientProgress(
        start=start,
        end=today,
        weeks=_weeks(patient, start, today),
        ladders=_ladder_progress(patient, start),
        pain=_pain(patient, start),
    )


def patient_logs(*, patient: Patient) -> QuerySet[SetLog]:
    """The patient's set logs, newest first, for the history table."""
    return (
        SetLog.objects.filter(patient=patient)
        .select_related("exercise")
        .order_by("-performed_on", "-logged_at", "-pk")
    )
