"""Signing in as a person would: staff with email and password, a patient through their link."""

import pytest

from apps.patients.auth import personal_link_path
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_signs_in_with_email_and_password(desktop_page, therapist_a):
    page = desktop_page
    page.goto("/sign-in/")
    assert_accessible(page)

    page.get_by_label("Email").fill(therapist_a.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/patients/")
    assert page.get_by_role("heading", name="Patients").is_visible()
    screenshot(page, "staff-signed-in")


def test_a_patient_opens_their_link_on_a_phone(phone_page, patient_a):
    page = phone_page
    page.goto(personal_link_path(patient_a))
    assert_accessible(page)
    screenshot(page, "patient-link-sign-in")

    page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
    page.get_by_role("button", name="Open my exercises").click()

    page.wait_for_url("**/today/")
    assert page.get_by_role("heading", name="Today").is_visible()
