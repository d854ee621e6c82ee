"""Which therapist each of a report's patient-days belongs to: the one looking after the
patient that day (``CareSpell``, written with every change of therapist). A spell has the
patient-local days ``starts_on`` (none: every day before) up to, not including, ``ends_on``
(none: every day after), so each day has one therapist. A patient with no spell at all
(added outside the app) is their current therapist's on every day.

A report filtered by therapist counts only that therapist's days of each patient; the whole
clinic's report gives each therapist's days to them, a patient handed over in the period
appearing once for each part. The same rule is written three times, kept together here: in
Python for the summary's parts (``care_parts``), and as querysets for the report's scope
(``in_care_of``) and for the sets of a therapist's days (``logged_in_care_of``);
``detail_sql`` writes it in the SQL of the detailed export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from apps.patients.models import CareSpell, Patient
from apps.programs.models import Program, SetLog

if TYPE_CHECKING:
    from apps.reports.exports.filters import ReportFilters


def staff_name(prefix: str = "") -> Coalesce:
    """A member of staff as the reports name them: the full name, else the email."""
    return Coalesce(
        NullIf(F(f"{prefix}full_name"), Value("")),
        F(f"{prefix}email"),
        Value(""),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class CarePart:
    """One therapist's days of one patient within the report's period, ``first`` to
    ``last``. ``since`` and ``until`` are set when a hand-over in the period starts or ends
    the part (the first and last day that are theirs), None when the part runs from the
    period's start or to its end."""

    therapist_id: int
    therapist: str
    first: date
    last: date
    since: date | None = None
    until: date | None = None

    def covers(self, start: date | None, end: date | None) -> bool:
        """Whether ``start..end`` (None: open on that side) shares a day with the part."""
        return (start is None or start <= self.last) and (end is None or end >= self.first)


def care_parts(*, patients: Sequence[Patient], filters: ReportFilters) -> dict[int, list[CarePart]]:
    """Each patient's parts in the period, in order (only the filter's therapist's, when
    there is one), in one query. ``patients`` come with their therapist loaded."""
    spells = (
        CareSpell.objects.filter(patient_id__in=[patient.pk for patient in patients])
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=filters.end))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=filters.start))
        .annotate(name=staff_name("therapist__"))
        .order_by("patient_id", "started_at", "pk")
        .values_list("patient_id", "therapist_id", "name", "starts_on", "ends_on")
    )
    found: defaultdict[int, list[CarePart]] = defaultdict(list)
    recorded: set[int] = set()
    for patient_id, therapist_id, name, starts_on, ends_on in spells:
        recorded.add(patient_id)
        part = _part(therapist_id, name, starts_on, ends_on, filters)
        if part is not None and _chosen(therapist_id, filters):
            found[patient_id].append(part)
    for patient in patients:
        if patient.pk not in recorded and _chosen(patient.therapist_id, filters):
            therapist = patient.therapist
            name = therapist.full_name or therapist.email or ""
            found[patient.pk].append(
                CarePart(patient.therapist_id, name, filters.start, filters.end)
            )
    return found


def _chosen(therapist_id: int, filters: ReportFilters) -> bool:
    return filters.therapist is None or filters.therapist.pk == therapist_id


def _part(
    therapist_id: int,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    filters: ReportFilters,
) -> CarePart | None:
    """The spell's days within the period, or None when it has none there."""
    since = starts_on if starts_on is not None and starts_on > filters.start else None
    until = ends_on - timedelta(days=1) if ends_on is not None and ends_on <= filters.end else None
    first, last = since or filters.start, until or filters.end
    if last < first:
        return None
    return CarePart(therapist_id, name, first, last, since, until)


def _first_day(filters: ReportFilters) -> Coalesce:
    """The outer spell's first day in the period's terms (none: the period's start)."""
    return Coalesce(OuterRef("starts_on"), Value(filters.start), output_field=DateField())


def _day_after(filters: ReportFilters) -> Coalesce:
    """The outer spell's first day no longer theirs (none: the day after the period)."""
    after = filters.end + timedelta(days=1)
    return Coalesce(OuterRef("ends_on"), Value(after), output_field=DateField())


def in_care_of(therapist_id: int, filters: ReportFilters) -> Q:
    """For patients: a program running, or a set logged, on a day of the period that is
    ``therapist_id``'s."""
    running = (
        Program.objects.filter(is_template=False, is_active=True, patient_id=OuterRef("patient_id"))
        .filter(start_date__lte=filters.end, start_date__lt=_day_after(filters))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=filters.start))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=_first_day(filters)))
    )
    logged = SetLog.objects.filter(
        patient_id=OuterRef("patient_id"),
        performed_on__range=(filters.start, filters.end),
        performed_on__gte=_first_day(filters),
        performed_on__lt=_day_after(filters),
    )
    spells = (
        CareSpell.objects.filter(patient_id=OuterRef("pk"), therapist_id=therapist_id)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=filters.end))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=filters.start))
        .exclude(ends_on=F("starts_on"))  # a spell with no day of its own
    )
    return Q(Exists(spells.filter(Exists(running) | Exists(logged)))) | (
        Q(therapist_id=therapist_id) & _unrecorded("pk")
    )


def _unrecorded(patient_ref: str) -> Q:
    return ~Q(Exists(CareSpell.objects.filter(patient_id=OuterRef(patient_ref))))


def _spells_on_log_day() -> Any:
    """Spells of the outer set log's patient that have the set's day."""
    return (
        CareSpell.objects.filter(patient_id=OuterRef("patient_id"))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=OuterRef("performed_on")))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=OuterRef("performed_on")))
    )


def logged_in_care_of(therapist_id: int, filters: ReportFilters) -> Q:
    """For set logs of patients in ``in_care_of``: logged on a day that is
    ``therapist_id``'s. A join on the patient's spells (in one ``filter()`` call, one join)
    rather than a subquery per set: a year of a therapist's sets is hundreds of thousands."""
    spell = "patient__care_spells__"
    first = Coalesce(F(f"{spell}starts_on"), Value(filters.start), output_field=DateField())
    after = filters.end + timedelta(days=1)
    until = Coalesce(F(f"{spell}ends_on"), Value(after), output_field=DateField())
    theirs = Q(**{f"{spell}therapist_id": therapist_id, "performed_on__gte": first})
    # A set is in at most one of the therapist's spells (they share no day): no set twice.
    # A patient with no spell is in the scope only as the therapist's own (``in_care_of``).
    return (theirs & Q(performed_on__lt=until)) | Q(**{f"{spell}isnull": True})


def therapist_on_log_day() -> Coalesce:
    """For set logs: the name of the therapist whose day it was logged on."""
    named = _spells_on_log_day().annotate(name=staff_name("therapist__")).values("name")[:1]
    return Coalesce(Subquery(named), staff_name("patient__therapist__"), output_field=CharField())
