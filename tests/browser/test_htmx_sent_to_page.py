"""A part of a page that htmx updates never shows another page inside it: when the clinic
comes to require two-factor sign-in while a therapist is on the library, their next search
takes the browser to the set-up page, whole, and back to the library once it is on; when their
session has ended, to the sign-in page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.clinics.models import Clinic
from tests.browser.conftest import sign_in_staff, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_search_owing_a_second_factor_opens_the_set_up_page_whole(
    live_server, desktop_page, therapist_a, clinic_a
):
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto("/library/")
    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=True)

    page.get_by_label("Search by name or alias").press_sequentially("clam")  # htmx asks as you type

    page.wait_for_url(re.compile(r"/account/two-factor/\?next=%2Flibrary%2F$"))
    expect(page.get_by_text("Your clinic requires two-factor sign-in")).to_be_visible()
    expect(page.locator("#library-results")).to_have_count(0)
    expect(page.locator("header.site-header")).to_have_count(1)
    assert errors == []


def test_a_search_after_the_session_ended_opens_the_sign_in_page(
    live_server, desktop_page, therapist_a, settings
):
    page = desktop_page
    sign_in_staff(page, therapist_a)
    page.goto("/library/")
    settings.STAFF_SESSION_IDLE = timedelta(seconds=-1)  # any pause is now too long

    page.get_by_label("Search by name or alias").press_sequentially("clam")

    page.wait_for_url("**/sign-in/")
    expect(page.get_by_text("For your patients' privacy you were signed out.")).to_be_visible()
    expect(page.locator("#library-results")).to_have_count(0)
