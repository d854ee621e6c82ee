"""Build the adherence report's rows a chunk of patients at a time, with a fixed number of
queries per chunk: streamed to the CSV and Excel files, collected for the page and the PDF.

The adherence figures come from ``apps.programs.adherence_summaries`` (the shared definition
of ``apps.programs.adherence``, the same numbers as ``adherence_summaries``), over each
therapist's part of each patient's days (``care``); this module adds what only a report needs
(program names) and groups the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from apps.clinics.models import Clinic
from apps.patients.models import Patient
from apps.programs.adherence_summaries import AdherenceSummary, Key, window_summaries
from apps.programs.held_back import Window
from apps.reports.exports.care import CarePart, care_parts
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
    """The chunk's rows: a patient's, or one per therapist's part of a patient handed over
    in the period, leaving out a part with no program running and nothing logged in it (a
    patient's only part stays, as the report's scope chose the patient for it)."""
    parts = care_parts(patients=patients, filters=filters)
    windows: dict[Key, Window] = {}
    for patient in patients:
        today = patient.local_today()
        for number, part in enumerate(parts.get(patient.pk, ())):
            windows[(patient.pk, number)] = (part.first, min(part.last, today))
    summaries = window_summaries(patients=patients, windows=windows)
    programs = _programs([patient.pk for patient in patients], filters)
    rows = []
    for patient in patients:
        own = parts.get(patient.pk, [])
        for number, part in enumerate(own):
            names = _names(programs[patient.pk], part)
            summary = summaries.get((patient.pk, number))
            if len(own) == 1 or names or (summary is not None and summary.active_days):
                rows.append(_row(patient, part, summary, names))
    return rows


def _row(
    patient: Patient, part: CarePart, summary: AdherenceSummary | None, programs: list[str]
) -> PatientRow:
    row = PatientRow(
        patient=patient.full_name,
        therapist=part.therapist,
        therapist_key=part.therapist_id,
        programs="; ".join(programs),
        patient_key=patient.pk,
        care_from=part.since,
        care_until=part.until,
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
        # Sums rather than the summary's average, so totals weigh every logged set alike.
        row.pain_sum, row.pain_count = summary.pain_sum, summary.logs
    return row


# Name, first and last day (no last day: running until further notice).
ProgramDays = tuple[str, date | None, date | None]


def _programs(ids: list[int], filters: ReportFilters) -> defaultdict[int, list[ProgramDays]]:
    """Each patient's programs running in the period: name, first and last day."""
    found: defaultdict[int, list[ProgramDays]] = defaultdict(list)
    rows = (
        overlapping_programs(filters)
        .filter(patient_id__in=ids)
        .order_by("start_date", "pk")
        .values_list("patient_id", "name", "start_date", "end_date")
    )
    for patient_id, name, start, end in rows:
        found[patient_id].append((name, start, end))
    return found


def _names(programs: list[ProgramDays], part: CarePart) -> list[str]:
    """The names of the programs running on the part's days, once each, by start."""
    names: list[str] = []
    for name, start, end in programs:
        if part.covers(start, end) and name not in names:
            names.append(name)
    return names
