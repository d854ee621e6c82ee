"""Text typed by people cannot run as a spreadsheet formula in any export."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.core.spreadsheet import safe_text
from apps.reports.exports.cells import csv_cell
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory, parse_csv, streamed

pytestmark = pytest.mark.django_db

EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
PERIOD = {"start": "2026-02-01", "end": "2026-02-07"}
NASTY = ['=HYPERLINK("http://x.example")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


@pytest.mark.parametrize("text", NASTY)
def test_a_cell_starting_with_a_formula_character_gets_an_apostrophe(text):
    assert safe_text(text) == "'" + text
    assert csv_cell(text) == "'" + text


def test_ordinary_text_numbers_and_dates_are_left_alone():
    assert safe_text("Ann O'Neil - left hip") == "Ann O'Neil - left hip"
    assert csv_cell(-3) == "-3"
    assert csv_cell(date(2026, 2, 1)) == "2026-02-01"


@pytest.fixture
def nasty_patient(therapist_a):
    patient = PatientFactory(therapist=therapist_a, full_name="=1+2")
    program = ProgramFactory(patient=patient, name="@cmd", start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="+Clam"))
    SetLogFactory(item=item, performed_on=date(2026, 2, 2))
    return patient


def test_the_summary_csv_and_excel_neutralise_formulas(admin_a, nasty_patient):
    client = signed_in(admin_a)

    rows = parse_csv(streamed(client.post(EXPORT, {**PERIOD, "format": "csv"})))
    workbook = load_workbook(BytesIO(client.post(EXPORT, {**PERIOD, "format": "xlsx"}).content))

    assert rows[1][1:4] == ["'=1+2", rows[1][2], "'@cmd"]
    sheet = workbook["Patients"]
    assert (sheet["A2"].value, sheet["C2"].value) == ("'=1+2", "'@cmd")
    assert sheet["A2"].data_type == "s", "stored as text, not as a formula"


def test_the_detailed_csv_neutralises_formulas(admin_a, nasty_patient):
    response = signed_in(admin_a).post(EXPORT, {**PERIOD, "format": "csv", "kind": "detail"})

    rows = parse_csv(streamed(response))

    assert rows[1][0] == "'=1+2"
    assert rows[1][rows[0].index("Exercise")] == "'+Clam"


def test_names_with_markup_characters_print_as_written_in_the_pdf(admin_a, therapist_a):
    patient = PatientFactory(therapist=therapist_a, full_name="Jo <b>Smith</b> & Co")
    ProgramFactory(patient=patient, start_date=date(2026, 1, 1))

    response = signed_in(admin_a).post(EXPORT, {**PERIOD, "format": "pdf"})

    pages = PdfReader(BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # undo wrapping
    assert "Jo <b>Smith</b> & Co" in text
