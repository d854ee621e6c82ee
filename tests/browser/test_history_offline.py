"""What the phone keeps offline says so. History opened offline is the copy the service worker
kept: it says when that copy was made and how many sets wait on the phone, not yet counted in
it. A questionnaire answered offline is marked on Today as waiting to be sent, then as sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.outcomes.models import Questionnaire
from apps.outcomes.services import measures_set
from apps.programs.models import SetLog
from tests.browser.conftest import (
    assert_accessible,
    set_offline,
    sign_in_patient,
    wait_until,
)
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = "async (url) => Boolean(await caches.match(url))"


def _under_the_worker(page) -> None:
    """Today opened again once the worker is in charge: it keeps Today and History."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(page, KEPT, "/history/")


def test_history_opened_offline_says_it_is_a_kept_copy_and_counts_the_waiting_sets(
    phone_page, patient_a
):
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a), sets=2, reps=10, per_side=False
    )
    page = phone_page
    sign_in_patient(page, patient_a)
    _under_the_worker(page)
    page.goto("/history/")
    notice = page.locator("#kept-notice")
    expect(notice).to_be_hidden()  # online, nothing waiting: the page is the server's own

    page.goto("/today/")
    set_offline(page, True)
    card = page.locator(f"#item-{item.public_id}")
    card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
    card.get_by_role("button", name=re.compile(r"Log set")).click()
    page.locator("#sync-status").filter(has_text="saved on this phone").wait_for()
    page.get_by_role("link", name="History").click()

    page.get_by_role("heading", name="My history").wait_for()
    expect(notice).to_be_visible()
    expect(notice).to_have_text(
        re.compile(
            r"^You are offline: this is your history as kept on this phone at \d\d:\d\d on "
            r"\w+day \d+ \w+\. 1 set saved on this phone is waiting to be sent and is not "
            r"counted here yet\.$"
        )
    )
    assert_accessible(page)

    set_offline(page, False)  # back online, History not yet fetched again
    expect(notice).to_have_text(
        "1 set saved on this phone is waiting to be sent and is not counted here yet: "
        "open Today to send it."
    )
    page.get_by_role("link", name="Today").click()
    page.locator("#sync-status").filter(has_text="All your sets are saved").wait_for(timeout=15_000)
    assert SetLog.objects.count() == 1
    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", name="My history").wait_for()
    expect(notice).to_be_hidden()


def test_a_questionnaire_answered_offline_is_marked_waiting_on_today_then_sent(
    phone_page, therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    ExerciseItemFactory(program=program)
    measures_set(user=therapist_a, program=program, instruments=["nprs"])
    nprs = Questionnaire.objects.get(instrument="nprs", due_on=program.start_date)
    page = phone_page
    sign_in_patient(page, patient_a)
    _under_the_worker(page)
    wait_until(page, KEPT, f"/today/questionnaires/{nprs.public_id}/")

    set_offline(page, True)
    page.get_by_role("link", name=re.compile("^Your hip pain this week")).click()
    page.wait_for_url(f"**/today/questionnaires/{nprs.public_id}/")
    page.locator('fieldset[data-key="pain"] .pain-option span', has_text=re.compile(r"^4$")).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#q-status")).to_contain_text("kept on this phone")
    page.goto("/today/")

    link = page.get_by_role("link", name=re.compile("^Your hip pain this week"))
    expect(link).to_have_text(
        "Your hip pain this week (1 question) (answers saved on this phone, waiting to be sent)"
    )
    assert_accessible(page)

    set_offline(page, False)
    expect(link).to_have_text(
        "Your hip pain this week (1 question) (sent to your therapist)", timeout=15_000
    )
    nprs.refresh_from_db()
    assert nprs.scores == {"pain": "4"}
