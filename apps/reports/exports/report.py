"""The adherence report as data: one row per patient, totals per therapist and for the clinic.

Every writer (page, CSV, Excel, PDF) reads these objects and the column lists below, so the
numbers are the same in every format. Totals are computed from sums (prescribed and completed
sets, pain sums and counts), never by averaging percentages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from apps.reports.exports.cells import Cell
from apps.reports.exports.filters import ReportFilters

ONE_PLACE = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal place; None when ``whole`` is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def mean(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    """Additive figures shared by a patient row and a total."""

    scheduled_days: int = 0
    prescribed: int = 0
    completed: int = 0
    active_days: int = 0
    complete_days: int = 0
    last_activity: date | None = None
    pain_sum: int = 0
    pain_count: int = 0
    max_pain: int | None = None
    progressions: int = 0

    @property
    def adherence(self) -> Decimal | None:
        return percent(self.completed, self.prescribed)

    @property
    def avg_pain(self) -> Decimal | None:
        return mean(self.pain_sum, self.pain_count)

    def add(self, other: Counts) -> None:
        self.scheduled_days += other.scheduled_days
        self.prescribed += other.prescribed
        self.completed += other.completed
        self.active_days += other.active_days
        self.complete_days += other.complete_days
        self.pain_sum += other.pain_sum
        self.pain_count += other.pain_count
        self.progressions += other.progressions
        self.last_activity = _latest(self.last_activity, other.last_activity)
        self.max_pain = _highest(self.max_pain, other.max_pain)


def _latest(a: date | None, b: date | None) -> date | None:
    return max(a, b) if a is not None and b is not None else (a or b)


def _highest(a: int | None, b: int | None) -> int | None:
    return max(a, b) if a is not None and b is not None else (a if a is not None else b)


@dataclass
class PatientRow(Counts):
    """A patient's figures for one therapist's days of the period: all of them, or, for a
    patient handed over in the period, one row per therapist's part, ``care_from`` and
    ``care_until`` the first and last day of the part that a hand-over sets (None where it
    runs from the period's start or to its end)."""

    patient: str = ""
    therapist: str = ""
    therapist_key: int = 0
    programs: str = ""
    # The patient's id: a patient's rows come one after another and count as one patient.
    patient_key: int | None = None
    care_from: date | None = None
    care_until: date | None = None


def care_text(row: PatientRow, day: Callable[[date], str]) -> str:
    """The row's part of the period in words ("from 3 Mar 2026"), "" for all of it."""
    if row.care_from and row.care_until:
        return f"from {day(row.care_from)} to {day(row.care_until)}"
    if row.care_from:
        return f"from {day(row.care_from)}"
    return f"until {day(row.care_until)}" if row.care_until else ""


@dataclass
class Total(Counts):
    label: str = ""
    patients: int = 0
    _last_patient: int | None = field(default=None, repr=False, compare=False)

    def include(self, row: PatientRow) -> None:
        self.add(row)
        if row.patient_key is None or row.patient_key != self._last_patient:
            self.patients += 1
        self._last_patient = row.patient_key


def _clinic_total() -> Total:
    return Total(label="Clinic total")


@dataclass
class ReportTotals:
    """Running totals, one per therapist and one for the clinic, fed a row at a time: a
    streamed export counts each row as it writes it and keeps none of them."""

    by_therapist: dict[int, Total] = field(default_factory=dict)
    clinic: Total = field(default_factory=_clinic_total)

    def include(self, row: PatientRow) -> None:
        self.by_therapist.setdefault(row.therapist_key, Total(label=row.therapist)).include(row)
        self.clinic.include(row)

    def counted(self, rows: Iterable[PatientRow]) -> Iterator[PatientRow]:
        """``rows`` passed on one by one, each included on its way through."""
        for row in rows:
            self.include(row)
            yield row

    @property
    def therapists(self) -> list[Total]:
        """Each therapist's total, by name (ties keep the order of their first row)."""
        return sorted(self.by_therapist.values(), key=lambda total: total.label.lower())


@dataclass
class AdherenceReport:
    """A report with all its rows in memory: for the page and the PDF, which the background
    threshold keeps small. The CSV and Excel files stream their rows instead."""

    filters: ReportFilters
    clinic_name: str
    generated_at: datetime
    rows: list[PatientRow] = field(default_factory=list)
    # The clinic's own zone, in which the report says when it was prepared.
    clinic_time_zone: str = "UTC"

    @property
    def totals(self) -> ReportTotals:
        totals = ReportTotals()
        for row in self.rows:
            totals.include(row)
        return totals

    @property
    def therapist_totals(self) -> list[Total]:
        return self.totals.therapists

    @property
    def clinic_total(self) -> Total:
        return self.totals.clinic


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[PatientRow], Cell]


@dataclass(frozen=True)
class TotalColumn:
    header: str
    value: Callable[[Total], Cell]


PATIENT_COLUMNS: tuple[Column, ...] = (
    Column("Patient", lambda r: r.patient),
    Column("Therapist", lambda r: r.therapist),
    Column("Programs", lambda r: r.programs),
    Column("Scheduled days", lambda r: r.scheduled_days),
    Column("Prescribed sets", lambda r: r.prescribed),
    Column("Completed sets", lambda r: r.completed),
    Column("Adherence %", lambda r: r.adherence),
    Column("Active days", lambda r: r.active_days),
    Column("Fully completed days", lambda r: r.complete_days),
    Column("Last activity", lambda r: r.last_activity),
    Column("Average pain", lambda r: r.avg_pain),
    Column("Maximum pain", lambda r: r.max_pain),
    Column("Progressions approved", lambda r: r.progressions),
    # Last, so the columns before stay where they were before hand-overs were reported.
    Column("Looked after from", lambda r: r.care_from),
    Column("Looked after until", lambda r: r.care_until),
)
CARE_COLUMNS = 2

TOTAL_COLUMNS: tuple[TotalColumn, ...] = (
    TotalColumn("Therapist", lambda t: t.label),
    TotalColumn("Patients", lambda t: t.patients),
    TotalColumn("Scheduled days", lambda t: t.scheduled_days),
    TotalColumn("Prescribed sets", lambda t: t.prescribed),
    TotalColumn("Completed sets", lambda t: t.completed),
    TotalColumn("Adherence %", lambda t: t.adherence),
    TotalColumn("Active days", lambda t: t.active_days),
    TotalColumn("Fully completed days", lambda t: t.complete_days),
    TotalColumn("Last activity", lambda t: t.last_activity),
    TotalColumn("Average pain", lambda t: t.avg_pain),
    TotalColumn("Maximum pain", lambda t: t.max_pain),
    TotalColumn("Progressions approved", lambda t: t.progressions),
)


def patient_cells(row: PatientRow) -> list[Cell]:
    return [column.value(row) for column in PATIENT_COLUMNS]


def total_cells(total: Total) -> list[Cell]:
    return [column.value(total) for column in TOTAL_COLUMNS]


def total_rows(totals: ReportTotals) -> Iterator[Total]:
    """Each therapist's total, then the clinic's."""
    yield from totals.therapists
    yield totals.clinic
