"""The adherence report's CSV and Excel files are streamed a chunk of patients at a time and
must be exactly what a report built whole in a list gives: same rows, order and totals.

The data has the ties the order must keep: two patients with the same name (ordered by id),
two therapists whose names differ only in case (their totals keep the order of their first
row), a therapist known only by email. Chunks of two patients split it four ways.
"""

from dataclasses import fields
from datetime import date
from io import BytesIO
from itertools import islice
from zipfile import ZipFile

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from apps.reports.exports import build
from apps.reports.exports.build import build_report, report_rows
from apps.reports.exports.cells import Cell
from apps.reports.exports.csv_format import csv_lines, summary_header
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.report import (
    PATIENT_COLUMNS,
    TOTAL_COLUMNS,
    AdherenceReport,
    Counts,
    PatientRow,
    Total,
    patient_cells,
    total_cells,
)
from apps.reports.exports.write import csv_stream, write_report
from apps.reports.exports.xlsx_format import write_sheet
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory, StaffFactory
from tests.reports.report_factories import SetLogFactory, log_sets

pytestmark = pytest.mark.django_db

START, END = date(2026, 2, 2), date(2026, 2, 10)
COUNT_FIELDS = [field.name for field in fields(Counts)]


@pytest.fixture(autouse=True)
def _frozen():
    # Frozen, so two workbooks written moments apart carry the same creation time.
    with time_machine.travel("2026-02-10 05:00Z", tick=False):
        yield


@pytest.fixture
def filters(admin_a):
    return ReportFilters(clinic_id=admin_a.clinic_id, start=START, end=END)


@pytest.fixture
def clinic_data(clinic_a, patient_b):
    lower = StaffFactory(clinic=clinic_a, full_name="alex ames")
    upper = StaffFactory(clinic=clinic_a, full_name="Alex Ames")
    zoe = StaffFactory(clinic=clinic_a, full_name="Zoë Zed")
    nameless = StaffFactory(clinic=clinic_a, full_name="", email="nameless@clinic.example")
    # (name, therapist, time zone, [(day, sets logged, pain)])
    people = [
        ("Sam Same", lower, "Europe/London", [(date(2026, 2, 2), 3, 2), (date(2026, 2, 4), 1, 7)]),
        ("Sam Same", zoe, "America/Los_Angeles", [(date(2026, 2, 9), 2, 0)]),
        ("Ann Adams", upper, "Europe/London", []),
        ("=Eve", nameless, "Asia/Tokyo", [(date(2026, 2, 10), 1, 4)]),
        ("Åsa Öberg", zoe, "Europe/Oslo", [(date(2026, 2, 3), 4, 1)]),
        ("bo brown", lower, "Europe/London", [(date(2026, 2, 6), 2, 3)]),
        ("Cy Cole", upper, "Europe/London", [(date(2026, 2, 2), 1, 0), (date(2026, 2, 5), 2, 5)]),
    ]
    for name, therapist, zone, logs in people:
        patient = PatientFactory(therapist=therapist, full_name=name, time_zone=zone)
        program = ProgramFactory(patient=patient, name=f"{name} plan", start_date=date(2026, 1, 5))
        item = ExerciseItemFactory(program=program, sets=2, per_side=False)
        for day, count, pain in logs:
            log_sets(item, day, count, pain=pain)
    # Another clinic's patient (patient_b) is in no report of this clinic.
    ProgramFactory(patient=patient_b, start_date=date(2026, 1, 1))


def _list_based(report: AdherenceReport) -> tuple[list[PatientRow], list[Total]]:
    """The construction the stream replaced, kept as the oracle: every row in a list, then
    the totals grouped from the whole list (each therapist by name, then the clinic)."""
    groups: dict[int, Total] = {}
    clinic = Total(label="Clinic total")
    for row in report.rows:
        groups.setdefault(row.therapist_key, Total(label=row.therapist)).include(row)
        clinic.include(row)
    return report.rows, [*sorted(groups.values(), key=lambda t: t.label.lower()), clinic]


def _total_in_patient_columns(kind: str, total: Total, therapist: str) -> list[Cell]:
    cells = patient_cells(PatientRow(**{name: getattr(total, name) for name in COUNT_FIELDS}))
    return [kind, f"{total.patients} patients", therapist, *cells[2:]]


def _list_based_csv(report: AdherenceReport) -> str:
    rows, totals = _list_based(report)
    *therapists, clinic = totals
    table = [["patient", *patient_cells(row)] for row in rows]
    table += [_total_in_patient_columns("therapist total", t, t.label) for t in therapists]
    table.append(_total_in_patient_columns("clinic total", clinic, "All therapists"))
    return "".join(csv_lines(summary_header(), table))


def _list_based_xlsx(report: AdherenceReport) -> bytes:
    rows, totals = _list_based(report)
    workbook = Workbook(write_only=True)
    patient_headers = [column.header for column in PATIENT_COLUMNS]
    write_sheet(workbook, "Patients", patient_headers, [patient_cells(row) for row in rows])
    total_headers = [column.header for column in TOTAL_COLUMNS]
    write_sheet(workbook, "Totals", total_headers, [total_cells(total) for total in totals])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _unzipped(xlsx: bytes) -> dict[str, bytes]:
    """Each file in the workbook's zip. Not the zip's own bytes: openpyxl stores each sheet
    with the modification time of its temporary file, which frozen time does not reach."""
    with ZipFile(BytesIO(xlsx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _in_chunks_of(monkeypatch, size):
    monkeypatch.setattr(build, "CHUNK_PATIENTS", size)


def test_the_streamed_csv_is_byte_identical_to_the_list_based_one(
    admin_a, filters, clinic_data, monkeypatch
):
    whole = build_report(user=admin_a, filters=filters)
    _in_chunks_of(monkeypatch, 2)
    out = BytesIO()

    write_report(user=admin_a, filters=filters, kind="summary", format="csv", out=out)

    assert len(whole.rows) == 7
    assert out.getvalue().decode("utf-8") == _list_based_csv(whole)
    lines = b"".join(csv_stream(user=admin_a, filters=filters, kind="summary")).decode()
    lines = lines.splitlines()
    # "Alex Ames" and "alex ames" tie on name: Ann Adams (Alex's) is listed before bo brown.
    assert [line.split(",")[2] for line in lines[-5:]] == [
        "Alex Ames",
        "alex ames",
        "nameless@clinic.example",
        "Zoë Zed",
        "All therapists",
    ]


def test_the_streamed_workbook_holds_the_same_files_as_the_list_based_one(
    admin_a, filters, clinic_data, monkeypatch
):
    whole = build_report(user=admin_a, filters=filters)
    _in_chunks_of(monkeypatch, 2)
    out = BytesIO()

    write_report(user=admin_a, filters=filters, kind="summary", format="xlsx", out=out)

    assert _unzipped(out.getvalue()) == _unzipped(_list_based_xlsx(whole))


def _patients(therapist, count, first=0):
    for n in range(first, first + count):
        patient = PatientFactory(therapist=therapist, full_name=f"Patient {n:03}")
        item = ExerciseItemFactory(program=ProgramFactory(patient=patient, start_date=START))
        SetLogFactory(item=item, performed_on=date(2026, 2, 3), side="left")


def test_every_chunk_of_patients_costs_the_same_queries(admin_a, therapist_a, filters, monkeypatch):
    _in_chunks_of(monkeypatch, 2)
    counts = []
    for chunks in (1, 2, 3):
        _patients(therapist_a, 2, first=2 * (chunks - 1))
        with CaptureQueriesContext(connection) as queries:
            rows = list(report_rows(user=admin_a, filters=filters))
        assert len(rows) == 2 * chunks
        counts.append(len(queries))

    assert counts[1] - counts[0] == counts[2] - counts[1] > 0


def test_the_csv_writes_a_chunks_rows_before_reading_the_next_chunk(
    admin_a, therapist_a, filters, monkeypatch
):
    _in_chunks_of(monkeypatch, 2)
    _patients(therapist_a, 6)

    with CaptureQueriesContext(connection) as queries:
        lines = csv_stream(user=admin_a, filters=filters, kind="summary")
        first = [line.decode() for line in islice(lines, 3)]  # the header, two patients
        after_one_chunk = len(queries)
        rest = list(lines)

    assert [line.split(",")[1] for line in first[1:]] == ["Patient 000", "Patient 001"]
    assert len(rest) == 4 + 2, "four more patients, the therapist's total, the clinic's"
    per_chunk = after_one_chunk - 1  # after the one query for the ordered ids
    assert len(queries) == 1 + 3 * per_chunk


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("csv", [40, 80, 100]), ("xlsx", [32, 64, 80]), ("pdf", [32, 64, 80])],
)
def test_progress_is_reported_after_each_chunk(
    admin_a, therapist_a, filters, monkeypatch, fmt, expected
):
    _in_chunks_of(monkeypatch, 2)
    _patients(therapist_a, 5)
    seen: list[int] = []

    write_report(
        user=admin_a,
        filters=filters,
        kind="summary",
        format=fmt,
        out=BytesIO(),
        on_progress=seen.append,
    )

    assert seen == expected
