"""Journey 1, prescribe: a therapist signs in, narrows the library to the gluteus medius,
builds a program from the clamshell ladder (level 1) and one single exercise, adds a new
patient, assigns the program to them and opens the printable handout."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.patients.auth import personal_link_path
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.browser.conftest import check_page, sign_in_staff, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(transactional_db):
    call_command("load_library", stdout=io.StringIO())


def filter_library_by_gluteus_medius(page) -> None:
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_role("heading", name="Exercise library").wait_for()
    check_page(page, "j1-library")
    page.get_by_label("Target muscle").select_option(label="Gluteus medius")
    page.wait_for_url(re.compile(r"muscle=gluteus_medius"))
    results = page.locator(".exercise-link")
    expect(results.filter(has_text=re.compile(r"^Clam$"))).to_have_count(1)
    assert "Hamstring curl" not in results.all_inner_texts()
    check_page(page, "j1-library-gluteus-medius")


def build_template(page) -> None:
    """A program without a patient (a clinic template): ladder at level 1, then one exercise."""
    page.get_by_role("link", name="Programs", exact=True).click()
    page.wait_for_url("**/programs/")
    check_page(page, "j1-programs")
    page.get_by_role("link", name="New program or template").click()
    page.wait_for_url("**/programs/new/**")
    check_page(page, "j1-program-new")
    page.get_by_label("Program name").fill("Hip strength, phase 1")
    page.get_by_role("button", name="Create and open the builder").click()
    page.get_by_role("heading", name="Hip strength, phase 1").wait_for()

    items = page.locator("#items")
    ladder = page.get_by_label("Ladder", exact=True)
    ladder.select_option(label="Clamshell (Boren 2011) (4 levels)")
    page.get_by_label("Starting level").fill("1")
    page.get_by_role("button", name="Add ladder").click()
    expect(items.get_by_text("Clamshell (Boren 2011): level 1 of 4")).to_be_visible()

    page.get_by_label("Search by name or alias").fill("side plank")
    add = page.get_by_role("button", name="Add Side plank with hip abduction (dominant leg bottom)")
    add.click()
    expect(items.locator(".builder-item")).to_have_count(2)
    expect(items.get_by_role("heading", name=re.compile("dominant leg bottom"))).to_be_visible()
    check_page(page, "j1-program-builder", readme="program-builder")

    # The schedule's reminder time goes with the template into the patient's program.
    page.get_by_label("Reminder time (optional)").fill("08:15")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Schedule saved.")).to_be_visible()
    expect(page.get_by_label("Reminder time (optional)")).to_have_value("08:15")


def add_patient_and_assign(page) -> None:
    page.get_by_role("link", name="Add a new patient, then assign this template").click()
    page.wait_for_url("**/patients/new/**")
    check_page(page, "j1-patient-new")
    page.get_by_label("Full name").fill("Maya Lopez")
    page.get_by_label("Email").fill("maya@example.org")
    page.get_by_label("Year of birth").fill("1984")
    page.get_by_label("Reminder time").fill("18:30")
    page.get_by_role("button", name="Add patient").click()
    page.get_by_role("heading", name="Assign to a patient").wait_for()
    check_page(page, "j1-assign")
    expect(page.get_by_label("Patient", exact=True)).to_have_value(
        str(Patient.objects.get(full_name="Maya Lopez").public_id)
    )
    page.get_by_role("button", name="Assign").click()
    page.get_by_role("heading", name="Maya Lopez").wait_for()
    expect(page.get_by_text("assigned to Maya Lopez")).to_be_visible()
    check_page(page, "j1-patient-detail")


def test_a_therapist_prescribes_the_clamshell_ladder_to_a_new_patient_and_prints_the_handout(
    desktop_page, therapist_a, library, server_clock
):
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)

    filter_library_by_gluteus_medius(page)
    build_template(page)
    add_patient_and_assign(page)

    patient = Patient.objects.get(full_name="Maya Lopez")
    assert (patient.therapist, patient.year_of_birth) == (therapist_a, 1984)
    program = Program.objects.get(patient=patient, is_template=False)
    assert program.is_active
    assert program.start_date == patient.local_today()
    assert program.reminder_time == datetime.time(8, 15)
    ladder_item, single = program.items.order_by("position").select_related("ladder", "exercise")
    assert (ladder_item.ladder.key, ladder_item.current_level) == ("clamshell-boren-2011", 1)
    assert single.exercise.key == "side-plank-abduction-dominant-bottom"

    with page.expect_response(re.compile(r"/handout\.pdf\?paper=a4$")) as handout:
        page.get_by_role("link", name="Print handout (PDF, A4)").click()
    response = handout.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # Chromium shows the PDF in its own viewer (not our page: no axe run there); read the
    # same file with the page's session.
    pdf = page.request.get(response.url).body()
    assert pdf.startswith(b"%PDF")
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert "Hello Maya" in text
    # Maya's own reminder time (18:30, set when she was added) comes before her program's.
    assert "reminder at 18:30" in text
    assert "08:15" not in text
    assert personal_link_path(patient) in text.replace("\n", "")  # the QR code's link, typed
    assert "Clam (level 1)" in text
    assert "Side plank with hip abduction (dominant leg bottom)" in " ".join(text.split())
    assert errors == []
