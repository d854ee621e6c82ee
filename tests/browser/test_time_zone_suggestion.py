"""A travelling patient's phone says Asia/Tokyo while their clinic has Europe/London: the
Reminders page offers the phone's zone in one tap, and saves it; a phone already in the saved
zone is offered nothing; without JavaScript the select alone changes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.audit.models import AuditEntry
from apps.patients.auth import personal_link_path
from apps.patients.models import Patient
from tests.browser.conftest import (
    PHONE,
    browser_page,
    check_page,
    sign_in_patient,
    watch_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_reminders(page, patient) -> None:
    sign_in_patient(page, patient)
    page.get_by_role("link", name="Reminders", exact=True).tap()
    page.get_by_role("heading", name="Reminders and time zone").wait_for()


def test_the_phones_own_zone_is_offered_and_saved_in_one_tap(browser, live_server, patient_a):
    with browser_page(browser, live_server, **PHONE, timezone_id="Asia/Tokyo") as page:
        errors = watch_errors(page)
        open_reminders(page, patient_a)
        offer = page.get_by_role("region", name="Your phone is set to Asia/Tokyo: use it?")
        expect(offer).to_be_visible()
        expect(page.get_by_label("My time zone")).to_have_value("Europe/London")
        check_page(page, "time-zone-suggestion")

        offer.get_by_role("button", name="Save Asia/Tokyo as my time zone", exact=True).tap()

        expect(page.get_by_text("Saved. Your time zone is now Asia/Tokyo")).to_be_visible()
        expect(page.get_by_label("My time zone")).to_have_value("Asia/Tokyo")
        # Saved, the phone and the patient agree: nothing more to offer.
        expect(page.locator("#phone-zone")).to_be_hidden()
        assert Patient.objects.get(pk=patient_a.pk).time_zone == "Asia/Tokyo"
        entry = AuditEntry.objects.get(patient=patient_a, action="change")
        assert entry.detail == "time zone Europe/London → Asia/Tokyo, chosen by the patient"
        assert errors == []


def test_a_phone_in_the_saved_zone_is_offered_nothing(browser, live_server, patient_a):
    with browser_page(browser, live_server, **PHONE, timezone_id="Europe/London") as page:
        open_reminders(page, patient_a)

        expect(page.get_by_label("My time zone")).to_have_value("Europe/London")
        expect(page.locator("#phone-zone")).to_be_hidden()


def test_without_javascript_the_select_changes_the_zone(browser, live_server, patient_a):
    options = {**PHONE, "timezone_id": "Asia/Tokyo", "java_script_enabled": False}
    with browser_page(browser, live_server, **options) as page:
        # Signed in by hand: ``sign_in_patient`` runs axe-core, a script.
        page.goto(personal_link_path(patient_a))
        page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
        page.get_by_role("button", name="Open my exercises").click()
        page.wait_for_url("**/today/")
        page.goto("/reminders/")
        expect(page.locator("#phone-zone")).to_be_hidden()

        page.get_by_label("My time zone").select_option("America/New_York")
        page.get_by_role("button", name="Save", exact=True).tap()

        expect(page.get_by_text("Saved. Your time zone is now America/New_York")).to_be_visible()
        assert Patient.objects.get(pk=patient_a.pk).time_zone == "America/New_York"


def test_a_phone_giving_an_old_name_is_offered_the_listed_one(browser, live_server, patient_a):
    """Chromium names India's zone Asia/Calcutta; the list has only Asia/Kolkata."""
    with browser_page(browser, live_server, **PHONE, timezone_id="Asia/Calcutta") as page:
        open_reminders(page, patient_a)
        offer = page.get_by_role("region", name="Your phone is set to Asia/Kolkata: use it?")

        offer.get_by_role("button", name="Save Asia/Kolkata as my time zone", exact=True).tap()

        expect(page.get_by_text("Saved. Your time zone is now Asia/Kolkata")).to_be_visible()
        assert Patient.objects.get(pk=patient_a.pk).time_zone == "Asia/Kolkata"
