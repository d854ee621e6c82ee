"""A clinic admin requires two-factor sign-in for all staff, in a real browser: the settings
page names who has no app yet, and a colleague without one who signs in is sent to pair one
before any other page opens, then on to the page they asked for. Both pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from apps.clinics.models import Clinic
from tests.browser.conftest import assert_accessible, browser_page, screenshot, watch_errors
from tests.clinics.two_factor_helpers import paired
from tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password(page, user) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_without_an_app_pair_one_before_any_page_once_it_is_required(
    browser, live_server, desktop_page, admin_a, clinic_a
):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    device = paired(admin_a)
    page = desktop_page
    errors = watch_errors(page)
    _password(page, admin_a)
    page.wait_for_url("**/sign-in/verify/")
    page.get_by_label("6-digit code from your authenticator app").fill(_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/patients/")

    page.goto("/clinic/settings/")
    expect(page.get_by_text("1 staff have no authenticator app yet")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Dana Hill")).to_be_visible()
    page.get_by_label("Require two-factor sign-in for all staff").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Clinic settings saved.")).to_be_visible()
    assert Clinic.objects.get(pk=clinic_a.pk).require_two_factor

    with browser_page(browser, live_server, viewport={"width": 1280, "height": 900}) as theirs:
        theirs_errors = watch_errors(theirs)
        _password(theirs, colleague)
        theirs.wait_for_url(re.compile(r"/account/two-factor/\?next="))
        expect(theirs.get_by_text("Your clinic requires two-factor sign-in")).to_be_visible()
        expect(theirs.get_by_role("link", name="Patients", exact=True)).to_have_count(0)
        assert_accessible(theirs)
        screenshot(theirs, "two-factor-required")

        theirs.goto("/inbox/")  # any other page sends them back
        theirs.wait_for_url(re.compile(r"/account/two-factor/\?next=%2Finbox%2F"))
        pending = TOTPDevice.objects.get(user=colleague, confirmed=False)
        theirs.get_by_label("6-digit code from your authenticator app").fill(_code(pending))
        theirs.get_by_role("button", name="Turn on").click()

        theirs.wait_for_url("**/inbox/")
        expect(theirs.get_by_text("Two-factor sign-in is on.")).to_be_visible()
        expect(theirs.get_by_role("link", name="Patients", exact=True)).to_be_visible()
        assert theirs_errors == []
    assert errors == []
