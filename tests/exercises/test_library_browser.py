"""The library in a real browser: filtering without a reload, the chart, accessibility."""

import io

import pytest
from django.core.management import call_command

from apps.exercises.models import Exercise, Ladder
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    assert_accessible,
    browser,
    desktop_page,
    phone_page,
    screenshot,
)
from tests.factories import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_errors(page):
    """Script errors and failed requests (other than the browser's favicon probe)."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def sign_in(page, user):
    page.emulate_media(reduced_motion="reduce")  # charts draw at once, for the screenshots
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def loaded(transactional_db):
    call_command("load_library", stdout=io.StringIO())


def test_a_therapist_sorts_and_filters_the_library(desktop_page, therapist_a, loaded):  # noqa: F811
    page = desktop_page
    errors = watch_errors(page)
    sign_in(page, therapist_a)
    page.goto("/library/")
    assert_accessible(page)

    page.get_by_label("Sort by").select_option("-gluteus_medius")
    first = page.locator(".library-table tbody tr").first
    first.get_by_text("dominant leg bottom").wait_for()
    assert "ordering=-gluteus_medius" in page.url  # htmx pushed the filters into the address
    page.get_by_label("Equipment").select_option("mini_band")
    page.get_by_text("1 exercise", exact=True).wait_for()
    assert page.locator(".exercise-link").all_inner_texts() == ["Reverse clamshell with mini band"]
    screenshot(page, "library-filtered")
    assert errors == []


def test_an_exercise_page_draws_its_activation_chart(desktop_page, therapist_a, loaded):  # noqa: F811
    page = desktop_page
    errors = watch_errors(page)
    sign_in(page, therapist_a)
    step_up = Exercise.objects.get(key="lateral-step-up")
    page.goto(f"/library/exercises/{step_up.public_id}/")
    page.wait_for_function("() => window.Chart && Chart.getChart('activation-chart')")
    bars = page.evaluate("() => Chart.getChart('activation-chart').data.datasets[0].data")
    assert bars == [59, 63]
    assert_accessible(page)
    screenshot(page, "exercise-detail")
    assert errors == []


def test_the_ladder_page_on_a_phone(phone_page, therapist_a, loaded):  # noqa: F811
    page = phone_page
    sign_in(page, therapist_a)
    ladder = Ladder.objects.get(key="clamshell-boren-2011")
    page.goto(f"/library/ladders/{ladder.public_id}/")
    page.wait_for_function("() => window.Chart && Chart.getChart('ladder-chart')")
    assert_accessible(page)
    screenshot(page, "ladder-phone")
    page.goto("/library/")
    assert_accessible(page)
    screenshot(page, "library-phone")
