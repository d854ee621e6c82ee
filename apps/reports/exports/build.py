"""Build the adherence report's rows a chunk of patients at a time, with a fixed number of
queries per chunk: streamed to the CSV and Excel files, collected for the page and the PDF.

The adherence figures come from ``apps.programs.adherence_summaries`` (the shared definition
of ``apps.programs.adherence``, the same numbers as ``adherence_summaries``); this module adds
what only a report needs (program names, pain sums for weighted averages) and groups the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.patients.models import Patient
from apps.programs.adherence_summaries import AdherenceSummary, summaries_for_patients
from apps.programs.models import SetLog
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.report import AdherenceReport, PatientRow
from apps.reports.exports.scope import overlapping_programs, report_patients

if TYPE_CHECKING:
    from apps.clinics.models import User

# Patients per round of queries, and the most rows a streamed export holds at once. The
# page (at most the background threshold) is one round.
CHUNK_PATIENTS = 500


def _ignore(_percent: int) -> None:
    return None


def report_rows(
    *, user: User, filters: ReportFilters, on_progress: Callable[[int], None] = _ignore
) -> Iterator[PatientRow]:
    """Each patient's row, in the report's order (by name), computed ``CHUNK_PATIENTS``
    patients at a time with the same few queries per chunk; ``on_progress`` receives 0-100
    after each chunk.

    Only the ordered patient ids (one int each) and one chunk's patients and rows are held at
    once, so a writer that writes each row as it comes runs in the same memory at any size.
    """
    ids = list(report_patients(user=user, filters=filters).values_list("pk", flat=True))
    for first in range(0, len(ids), CHUNK_PATIENTS):
        yield from _rows(_patients(user, ids[first : first + CHUNK_PATIENTS]), filters)
        on_progress(min(len(ids), first + CHUNK_PATIENTS) * 100 // len(ids))


def build_report(
    *, user: User, filters: ReportFilters, on_progress: Callable[[int], None] = _ignore
) -> AdherenceReport:
    """The report for the user's clinic with every row in memory (the page and the PDF);
    ``on_progress`` receives 0-100 after each chunk."""
    clinic_name, zone = Clinic.objects.values_list("name", "time_zone").get(pk=filters.clinic_id)
    report = AdherenceReport(
        filters=filters, clinic_name=clinic_name, generated_at=timezone.now(),
        clinic_time_zone=zone,
    )  # fmt: skip
    report.rows.extend(report_rows(user=user, filters=filters, on_progress=on_progress))
    return report


def _patients(user: User, ids: list[int]) -> list[Patient]:
    """The chunk's patients in the order of ``ids`` (the report's order, fetched once)."""
    loaded = (
        Patient.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("therapist")
        .only("pk", "full_name", "time_zone", "therapist__full_name", "therapist__email")
    )
    by_pk = {patient.pk: patient for patient in loaded}
    # A patient deleted since the ids were read is left out rather than failing the export.
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _rows(patients: Sequence[Patient], filters: ReportFilters) -> list[PatientRow]:
    ids = [patient.pk for patient in patients]
    summaries = summaries_for_patients(patients=patients, start=filters.start, end=filters.end)
    programs = _program_names(ids, filters)
    pain = _pain(ids, filters)
    return [_row(p, summaries.get(p.pk), programs[p.pk], pain.get(p.pk)) for p in patients]


def _row(
    patient: Patient,
    summary: AdherenceSummary | None,
    programs: list[str],
    pain: dict[str, Any] | None,
) -> PatientRow:
    therapist = patient.therapist
    row = PatientRow(
        patient=patient.full_name,
        therapist=therapist.full_name or therapist.email or "",
        therapist_key=therapist.pk,
        programs="; ".join(programs),
    )
    if summary is not None:
        row.scheduled_days = summary.scheduled_days
        row.prescribed = summary.prescribed
        row.completed = summary.completed
        row.active_days = summary.active_days
        row.complete_days = summary.complete_days
        row.last_activity = summary.last_activity
        row.max_pain = summary.pain_max
        row.progressions = summary.progressions_approved
    if pain:
        # Sums rather than the summary's average, so totals weigh every logged set alike.
        row.pain_sum, row.pain_count = pain["total"], pain["count"]
    return row


def _program_names(ids: list[int], filters: ReportFilters) -> defaultdict[int, list[str]]:
    names: defaultdict[int, list[str]] = defaultdict(list)
    rows = (
        overlapping_programs(filters)
        .filter(patient_id__in=ids)
        .order_by("start_date", "pk")
        .values_list("patient_id", "name")
    )
    for patient_id, name in rows:
        if name not in names[patient_id]:
            names[patient_id].append(name)
    return names


def _pain(ids: list[int], filters: ReportFilters) -> dict[int, Any]:
    """Pain sum and count per patient over every set logged in the period (a log is never
    dated after the patient's local today, so these are the sets the summary covers)."""
    rows = (
        SetLog.objects.filter(patient_id__in=ids, performed_on__range=(filters.start, filters.end))
        .order_by()
        .values("patient_id")
        .annotate(total=Sum("pain"), count=Count("pk"))
    )
    return {row["patient_id"]: row for row in rows}
