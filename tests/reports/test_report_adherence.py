"""The adherence report checked against numbers worked out by hand, in every format.

Frozen at 2026-02-10 05:00 UTC: it is already Tuesday 10 February in London but still
Monday 9 February in Los Angeles. The period is Monday 2 to Tuesday 10 February.

Ann (London, Alex): "Hip strength" on Mon/Wed/Fri since January.
  - clam, 2 sets per side (4 units a day);
  - bridge, 3 sets (3 units) until Tue 3, then edited to 2 sets (2 units) from Wed 4.
  Scheduled: Mon 2 (4+3=7), Wed 4 (4+2=6), Fri 6 (6), Mon 9 (6) -> 4 days, 25 units.
  Mon 2: clam 3 left (capped at 2) + 2 right, bridge 3 -> 7 of 7, a complete day.
  Wed 4: clam 1 left + 1 right, bridge 1 -> 3 of 6 (partial).
  Thu 5 (not scheduled): clam 2 left -> activity only. Tue 10 (not scheduled): 1 set.
  Completed 10 of 25 = 40.0 %; active days 4; complete days 1; last activity 2026-02-10.
  Pain: 8 sets at 2, 3 at 4, 2 at 6, 1 at 5 -> 45 / 14 = 3.2; maximum 6.
  Progressions: one approved on 3 Feb (counted), one pending, one approved in January.
Cy (London, Alex): "Starter", daily from Mon 9, 1 set per side: 2 days, 4 units, nothing
  logged -> 0.0 %, no activity, no pain.
Bo (Los Angeles, Priya): "Daily hips", daily from Sat 7, 2 sets: local today is Mon 9, so
  Sat 7, Sun 8, Mon 9 -> 3 days, 6 units. Sat 2 sets, Sun 1 set -> 3 of 6 = 50.0 %;
  active 2; complete 1; last 2026-02-08; pain 0, 0, 1 -> 0.3; maximum 1.

Totals: Alex 10 of 29 = 34.5 % (not the 20.0 an average of percentages would give);
Priya 50.0 %; clinic 13 of 35 = 37.1 %, pain 46 / 17 = 2.7.
"""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.core.formats import percent_text
from apps.patients.archive_services import patient_archive
from apps.patients.models import Patient
from apps.programs.models import ProgressionPrompt, PromptStatus
from tests.conftest import signed_in
from tests.factories import (
    AdminFactory,
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.reports.report_factories import log_sets, parse_csv, streamed

pytestmark = pytest.mark.django_db

EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
PERIOD = {"start": "2026-02-02", "end": "2026-02-10"}
MON_WED_FRI = 0b0010101

# (patient, therapist, programs, scheduled days, prescribed, completed, adherence %,
#  active days, complete days, last activity, average pain, maximum pain, progressions)
EXPECTED = {
    "Ann Adams": ("Alex Ames", "Hip strength", 4, 25, 10, "40.0", 4, 1, "2026-02-10", "3.2", 6, 1),
    "Bo Brown": ("Priya Patel", "Daily hips", 3, 6, 3, "50.0", 2, 1, "2026-02-08", "0.3", 1, 0),
    "Cy Cole": ("Alex Ames", "Starter", 2, 4, 0, "0.0", 0, 0, None, None, None, 0),
}
# (label, patients, scheduled, prescribed, completed, adherence %, active, complete, last,
#  average pain, maximum pain, progressions)
TOTALS = [
    ("Alex Ames", 2, 6, 29, 10, "34.5", 4, 1, "2026-02-10", "3.2", 6, 1),
    ("Priya Patel", 1, 3, 6, 3, "50.0", 2, 1, "2026-02-08", "0.3", 1, 0),
    ("Clinic total", 3, 9, 35, 13, "37.1", 6, 2, "2026-02-10", "2.7", 6, 1),
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 05:00Z", tick=False):
        yield


@pytest.fixture
def clinic_admin(clinic_a):
    return AdminFactory(clinic=clinic_a)


def _ann(alex):
    ann = PatientFactory(therapist=alex, full_name="Ann Adams", time_zone="Europe/London")
    program = ProgramFactory(
        patient=ann, name="Hip strength", weekdays=MON_WED_FRI, start_date=date(2026, 1, 5)
    )
    clam = ExerciseItemFactory(program=program, sets=2, per_side=True)
    bridge = ExerciseItemFactory(
        program=program, sets=3, per_side=False, active_until=date(2026, 2, 3)
    )
    bridge_edited = ExerciseItemFactory(
        program=program,
        exercise=bridge.exercise,
        track=bridge.track,
        sets=2,
        per_side=False,
        active_from=date(2026, 2, 4),
    )
    log_sets(clam, date(2026, 2, 2), 3, side="left")
    log_sets(clam, date(2026, 2, 2), 2, side="right")
    log_sets(bridge, date(2026, 2, 2), 3)
    log_sets(clam, date(2026, 2, 4), 1, side="left", pain=4)
    log_sets(clam, date(2026, 2, 4), 1, side="right", pain=4)
    log_sets(bridge_edited, date(2026, 2, 4), 1, pain=4)
    log_sets(clam, date(2026, 2, 5), 2, side="left", pain=6)
    log_sets(clam, date(2026, 2, 10), 1, side="left", pain=5)
    log_sets(clam, date(2026, 1, 30), 2, side="left", pain=9)  # before the period
    for level, status, decided in (
        (1, PromptStatus.APPROVED, datetime.fromisoformat("2026-02-03T10:00Z")),
        (2, PromptStatus.PENDING, None),
        (3, PromptStatus.APPROVED, datetime.fromisoformat("2026-01-20T10:00Z")),
    ):
        ProgressionPrompt.objects.create(
            patient=ann,
            item=clam,
            track=clam.track,
            level=level,
            status=status,
            decided_at=decided,
        )
    return ann


def _bo(priya):
    bo = PatientFactory(therapist=priya, full_name="Bo Brown", time_zone="America/Los_Angeles")
    program = ProgramFactory(patient=bo, name="Daily hips", start_date=date(2026, 2, 7))
    item = ExerciseItemFactory(program=program, sets=2, per_side=False)
    log_sets(item, date(2026, 2, 7), 2, pain=0)
    log_sets(item, date(2026, 2, 8), 1, pain=1)
    return bo


def _cy(alex):
    cy = PatientFactory(therapist=alex, full_name="Cy Cole", time_zone="Europe/London")
    program = ProgramFactory(patient=cy, name="Starter", start_date=date(2026, 2, 9))
    ExerciseItemFactory(program=program, sets=1, per_side=True)
    return cy


@pytest.fixture
def clinic_data(clinic_a, patient_b):
    alex = StaffFactory(clinic=clinic_a, full_name="Alex Ames")
    priya = StaffFactory(clinic=clinic_a, full_name="Priya Patel")
    _ann(alex), _bo(priya), _cy(alex)
    # Not in the report: a programme that ended before the period, another clinic's patient.
    done = PatientFactory(therapist=alex, full_name="Dee Done")
    ProgramFactory(patient=done, start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    ProgramFactory(patient=patient_b, start_date=date(2026, 1, 1))
    return {"alex": alex, "priya": priya}


def _export(user, fmt, **extra):
    response = signed_in(user).post(EXPORT, {**PERIOD, "format": fmt, **extra})
    assert response.status_code == 200, response.content[:500]
    return streamed(response)


def _norm(value):
    """One comparable value from any format: numbers as one-decimal Decimals, dates ISO."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.1"))
    try:
        return Decimal(value).quantize(Decimal("0.1"))
    except ArithmeticError:
        return value


def _row(cells):
    return tuple(_norm(value) for value in cells)


def _expected_rows():
    return {name: _row(values) for name, values in EXPECTED.items()}


def _expected_totals():
    return [_row(total) for total in TOTALS]


def _runs(lines, cells):
    """Whether ``cells`` appear one after another in the PDF's text lines."""
    return any(lines[i : i + len(cells)] == cells for i in range(len(lines)))


def test_csv_matches_the_numbers_worked_out_by_hand(clinic_admin, clinic_data):
    rows = parse_csv(_export(clinic_admin, "csv"))

    header, body = rows[0], rows[1:]
    assert header[:4] == ["Row", "Patient", "Therapist", "Programs"]
    # The last two say which part of the period a row is, for a patient handed over in it.
    assert header[-2:] == ["Looked after from", "Looked after until"]
    assert {tuple(r[-2:]) for r in body} == {("", "")}
    patients = {r[1]: _row(r[2:-2]) for r in body if r[0] == "patient"}
    assert patients == _expected_rows()
    therapists = [_row(r[2:3] + r[4:-2]) for r in body if r[0] == "therapist total"]
    assert therapists == [(t[0], *t[2:]) for t in _expected_totals()[:2]]
    (clinic,) = [r for r in body if r[0] == "clinic total"]
    assert clinic[1] == "3 patients"
    assert _row(clinic[4:-2]) == _expected_totals()[2][2:]


def test_excel_matches_the_numbers_worked_out_by_hand(clinic_admin, clinic_data):
    workbook = load_workbook(BytesIO(_export(clinic_admin, "xlsx")))

    patients = workbook["Patients"]
    assert patients.freeze_panes == "A2"
    rows = list(patients.iter_rows(values_only=True))
    assert rows[0][:2] == ("Patient", "Therapist")
    assert rows[0][-2:] == ("Looked after from", "Looked after until")
    assert {r[0]: _row(r[1:-2]) for r in rows[1:]} == _expected_rows()
    assert {r[-2:] for r in rows[1:]} == {(None, None)}
    ann = rows[1]
    assert isinstance(ann[3], int), "counts are numbers"
    assert isinstance(ann[6], int | float), "percentages are numbers"
    assert isinstance(ann[9], datetime), "dates are typed"
    totals = list(workbook["Totals"].iter_rows(values_only=True))
    assert [_row(r) for r in totals[1:]] == _expected_totals()


def test_pdf_matches_the_numbers_worked_out_by_hand(clinic_admin, clinic_data):
    pdf = PdfReader(BytesIO(_export(clinic_admin, "pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]

    assert "Adherence % per therapist" in text, "the chart is drawn"
    # Dates read in the locale (en-gb by default) in the PDF; the CSV keeps ISO.
    assert "Period: 2 Feb 2026 to 10 Feb 2026" in lines
    assert "Clinic: Clinic A" in lines
    # Adherence as the page writes it ("40 %", "34.5 %"), not the CSV's number ("40.0").
    assert "Adherence" in lines
    assert "Adherence %" not in lines
    for name, values in EXPECTED.items():
        cells = [name, *("\u2013" if v is None else _pdf_text(v, n) for n, v in enumerate(values))]
        assert _runs(lines, cells), (cells, lines)
    for total in TOTALS:
        assert _runs(lines, [_pdf_text(v, n) for n, v in enumerate(total)]), total


ADHERENCE_AT = 5  # the adherence cell's place in EXPECTED's values and in TOTALS


def _pdf_text(value, at):
    """An expected cell as the PDF prints it: ISO dates in the en-gb format, adherence as
    every page writes a percentage."""
    if isinstance(value, str) and value.startswith("2026-"):
        return date.fromisoformat(value).strftime("%-d %b %Y")
    if at == ADHERENCE_AT:
        return percent_text(Decimal(value))
    return str(value)


def test_one_therapist_report_keeps_only_their_patients(clinic_admin, clinic_data):
    rows = parse_csv(_export(clinic_admin, "csv", therapist=str(clinic_data["priya"].public_id)))

    assert [r[1] for r in rows[1:] if r[0] == "patient"] == ["Bo Brown"]
    assert rows[-1][:2] == ["clinic total", "1 patients"]


def test_the_page_shows_the_same_numbers(clinic_admin, clinic_data):
    response = signed_in(clinic_admin).get("/reports/adherence/", PERIOD)

    assert response.status_code == 200
    report = response.context["page"].report
    assert [r.patient for r in report.rows] == ["Ann Adams", "Bo Brown", "Cy Cole"]
    assert report.clinic_total.adherence == Decimal("37.1")
    assert b"<td>34.5 %</td>" in response.content
    assert b"Dee Done" not in response.content


def test_a_draft_program_neither_adds_a_patient_nor_names_a_program(clinic_admin, clinic_data):
    # A program built for a patient stays a draft (never shown to them) until assigned: it
    # is not running, so the report leaves it out, patient and program name alike.
    alex = clinic_data["alex"]
    draft_only = PatientFactory(therapist=alex, full_name="Dot Draft")
    ProgramFactory(patient=draft_only, name="Unsent", is_active=False, start_date=date(2026, 2, 2))
    ann = Patient.objects.get(full_name="Ann Adams")
    ProgramFactory(patient=ann, name="Next block", is_active=False, start_date=date(2026, 2, 3))

    rows = parse_csv(_export(clinic_admin, "csv"))

    patients = {r[1]: r[3] for r in rows[1:] if r[0] == "patient"}
    assert sorted(patients) == ["Ann Adams", "Bo Brown", "Cy Cole"]
    assert patients["Ann Adams"] == "Hip strength"
    assert rows[-1][:2] == ["clinic total", "3 patients"]


def test_a_patient_archived_since_is_still_reported_for_the_period_they_were_active(
    clinic_admin, clinic_data
):
    # Discharged after the period (Ann and Bo): their rows, and the totals, stay as they were.
    # Nothing in the report's scope looks at archived_at.
    for name in ("Ann Adams", "Bo Brown"):
        patient_archive(patient=Patient.objects.get(full_name=name), actor=clinic_admin)

    rows = parse_csv(_export(clinic_admin, "csv"))

    patients = {r[1]: _row(r[2:-2]) for r in rows[1:] if r[0] == "patient"}
    assert patients == _expected_rows()
    assert rows[-1][:2] == ["clinic total", "3 patients"]
