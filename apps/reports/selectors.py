"""Reads for the patient progress page and the dashboard's therapist filter (the dashboard's
rows are in ``dashboard_selectors``).

Every function runs a fixed number of queries whatever the number of days or logs;
adherence comes from ``apps.programs.adherence`` (the shared rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Max, Min, QuerySet

from apps.clinics.models import Role, User
from apps.patients.models import Patient
from apps.programs.adherence import daily_totals
from apps.programs.adherence_summaries import AdherenceSummary
from apps.programs.models import (
    LevelChange,
    Program,
    SetLog,
)


def clinic_therapists(*, user: User) -> QuerySet[User]:
    """The staff of the user's clinic who can have patients, for the dashboard's filter:
    therapists and clinic admins (an admin may keep a caseload of their own), as the
    adherence report offers them."""
    if not user.is_clinic_staff or user.clinic_id is None:
        return User.objects.none()
    return User.objects.filter(
        clinic_id=user.clinic_id, role__in=[Role.THERAPIST, Role.ADMIN], is_active=True
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
        """The charts' data as JSON-ready values (for ``json_script``). Each day carries
        ``x``, its number of days after ``start``: the ladder and pain charts place points by
        it on a linear axis from ``start`` to ``end``, so a day without sets is a gap there
        instead of vanishing from a category axis that closed up around it."""
        return {
            "start": self.start.isoformat(),
            "end_x": self._x(self.end),
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
                        {
                            "day": p.day.isoformat(),
                            "x": self._x(p.day),
                            "level": p.level,
                            "reps": p.best_reps,
                        }
                        for p in ladder.points
                    ],
                    "changes": [
                        {
                            "day": c.day.isoformat(),
                            "x": self._x(c.day),
                            "from": c.from_level,
                            "to": c.to_level,
                        }
                        for c in ladder.changes
                    ],
                }
                for ladder in self.ladders
            ],
            "pain": [
                {
                    "day": p.day.isoformat(),
                    "x": self._x(p.day),
                    "max": p.pain_max,
                    "avg": float(p.pain_avg),
                }
                for p in self.pain
            ],
        }

    def _x(self, day: date) -> int:
        return (day - self.start).days


def _progress_start(patient: Patient, today: date) -> date | None:
    """The Monday of the week the first assigned program started (at most a year back); None
    when the patient has none (a draft, never assigned, prescribes nothing)."""
    first = Program.objects.filter(patient=patient, is_template=False, is_active=True).aggregate(
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
            # Not a draft's: the patient has never done its ladder.
            item__program__is_active=True,
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
