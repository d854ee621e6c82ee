"""A clinic admin resets a colleague's two-factor sign-in from the staff page, in a real
browser: the button asks once more, the colleague's open session ends, and the page passes
axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.clinics.services import totp_device_start
from tests.browser.conftest import (
    assert_accessible,
    browser_page,
    screenshot,
    sign_in_staff,
    watch_errors,
)
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_resets_a_colleagues_two_factor_and_their_session_ends(
    browser, live_server, desktop_page, admin_a, clinic_a
):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    with browser_page(browser, live_server) as theirs:
        sign_in_staff(theirs, colleague)
        device = totp_device_start(user=colleague)
        device.confirmed = True
        device.save()
        page = desktop_page
        errors = watch_errors(page)
        sign_in_staff(page, admin_a)

        page.goto("/clinic/staff/")
        row = page.get_by_role("row", name=re.compile("Dana Hill"))
        row.locator("summary", has_text="Reset two-factor").click()
        expect(row.get_by_text("Their password still works")).to_be_visible()
        assert_accessible(page, impacts=None)
        screenshot(page, "staff-two-factor-reset")
        row.get_by_role("button", name="Yes, reset two-factor").click()

        expect(page.get_by_text("Two-factor sign-in for Dana Hill was reset")).to_be_visible()
        expect(
            page.get_by_role("row", name=re.compile("Dana Hill")).locator(
                "summary", has_text="Reset"
            )
        ).to_have_count(0)
        theirs.goto("/patients/")
        expect(theirs).to_have_url(re.compile("/sign-in/"))
        assert errors == []
