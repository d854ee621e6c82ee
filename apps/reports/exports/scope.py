"""Which patients and logged sets a report covers. Every query starts from the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.patients.models import Patient
from apps.programs.models import Program, SetLog
from apps.reports.exports.care import in_care_of, logged_in_care_of
from apps.reports.exports.filters import ReportFilters

if TYPE_CHECKING:
    from apps.clinics.models import User


def overlapping_programs(filters: ReportFilters) -> QuerySet[Program]:
    """Patients' own programs whose schedule overlaps the report's period. A draft (built
    for the patient, never assigned: ``is_active`` False) prescribes nothing and is not
    running, so it neither brings a patient into the report nor names a program there."""
    return Program.objects.filter(
        is_template=False, is_active=True, start_date__lte=filters.end
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=filters.start))


def report_patients(*, user: User, filters: ReportFilters) -> QuerySet[Patient]:
    """The clinic's patients with a program running or a set logged in the period, ordered
    by name; with a therapist chosen, those with one on a day that was that therapist's
    (``care``: a patient handed over is theirs for the days they looked after them). Empty
    for anyone but the clinic's admins."""
    if not user.is_clinic_admin or user.clinic_id != filters.clinic_id:
        return Patient.objects.none()
    patients = Patient.objects.visible_to(user)
    if filters.therapist is not None:
        patients = patients.filter(in_care_of(filters.therapist.pk, filters))
    has_program = Exists(overlapping_programs(filters).filter(patient_id=OuterRef("pk")))
    has_logs = Exists(
        SetLog.objects.filter(
            patient_id=OuterRef("pk"), performed_on__range=(filters.start, filters.end)
        )
    )
    return patients.filter(has_program | has_logs).order_by("full_name", "pk")


def report_set_logs(*, user: User, filters: ReportFilters) -> QuerySet[SetLog]:
    """Sets logged in the period by the report's patients (with a therapist chosen, on
    their days)."""
    logs = SetLog.objects.filter(
        patient__in=report_patients(user=user, filters=filters).values("pk"),
        performed_on__range=(filters.start, filters.end),
    )
    if filters.therapist is not None:
        logs = logs.filter(logged_in_care_of(filters.therapist.pk, filters))
    return logs


DEFAULT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 50_000}


def background_threshold() -> dict[str, int]:
    """``settings.REPORT_BACKGROUND_THRESHOLD``: a dict with ``patients`` and/or
    ``set_logs``; a report over either limit is built in the background."""
    configured = getattr(settings, "REPORT_BACKGROUND_THRESHOLD", None) or {}
    return {**DEFAULT_BACKGROUND_THRESHOLD, **configured}


@dataclass(frozen=True)
class ReportSize:
    patients: int
    set_logs: int

    @property
    def is_large(self) -> bool:
        limits = background_threshold()
        return self.patients > limits["patients"] or self.set_logs > limits["set_logs"]


def report_size(*, user: User, filters: ReportFilters) -> ReportSize:
    """How many patients and logged sets the report covers: two COUNT queries."""
    return ReportSize(
        patients=report_patients(user=user, filters=filters).count(),
        set_logs=report_set_logs(user=user, filters=filters).count(),
    )
