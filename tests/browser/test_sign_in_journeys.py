"""Signing in as a person would: staff with email and password, a patient through their link."""

import pytest
from playwright.sync_api import expect

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


def test_a_clinic_admin_changes_the_alert_level_in_clinic_settings(desktop_page, admin_a):
    page = desktop_page
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(admin_a.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/patients/")

    # Each click that navigates is followed by a wait for the new page: axe injected into a
    # page still being replaced fails (seen on a busy machine).
    page.get_by_role("link", name="Clinic settings").click()
    page.wait_for_url("**/clinic/settings/")
    assert_accessible(page)
    page.get_by_label("Alert the therapist when pain is at or above").fill("6")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("Clinic settings saved.")).to_be_visible()
    admin_a.clinic.refresh_from_db()
    assert admin_a.clinic.pain_alert_level == 6

    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/clinic/staff/")
    assert_accessible(page)
    screenshot(page, "clinic-staff")
