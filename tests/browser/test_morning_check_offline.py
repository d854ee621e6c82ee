"""The next-morning question answered with no connection: its advice shows at once ("go
lighter today" cannot wait for a signal), the answer is kept on the phone, and it reaches the
therapist once, when the phone is back online."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.programs.logs import set_log_record
from apps.programs.models import MorningCheck
from tests.browser.conftest import (
    browser_clock,
    clamshell_item,
    set_offline,
    sign_in_patient,
    wait_until,
)
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exercised_yesterday(patient_a, server_clock):
    yesterday = patient_a.local_today() - timedelta(days=1)
    program = ProgramFactory(patient=patient_a, name="Hip strength", start_date=yesterday)
    item = clamshell_item(patient_a, program=program, per_side=False)
    set_log_record(
        patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=yesterday,
        side="both", reps=10, pain=2,
    )  # fmt: skip
    return patient_a


def test_a_worse_answer_offline_advises_at_once_and_is_sent_once_back_online(
    phone_page, exercised_yesterday
):
    page = phone_page
    browser_clock(page)
    sign_in_patient(page, exercised_yesterday)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(page, "async () => Boolean(await caches.match('/today/'))")

    set_offline(page, True)
    page.reload()
    question = page.get_by_role("heading", name="How is your hip today?")
    expect(question).to_be_visible()
    page.locator('input[name="hip"][value="worse"]').check()
    page.locator('input[name="stiffness"][value="same"]').check()
    page.get_by_role("button", name="Save my answer").tap()

    advice = page.locator('[data-morning-advice="worse"]')
    expect(advice).to_be_visible()
    expect(advice).to_be_focused()
    expect(advice).to_contain_text("Reduce the load today")
    expect(advice).to_contain_text("kept on this phone")
    expect(question).to_be_hidden()
    assert not MorningCheck.objects.exists()
    page.reload()  # reopened offline: the answer and its advice are still there
    expect(page.locator('[data-morning-advice="worse"]')).to_be_visible()

    set_offline(page, False)
    page.wait_for_function(  # sent: nothing is kept on the phone any more
        "() => Object.keys(localStorage).every((k) => !k.startsWith('clamshell.morning.'))"
    )
    check = MorningCheck.objects.get()
    assert (check.hip, check.stiffness, check.is_worse) == ("worse", "same", True)
    page.reload()
    expect(page.get_by_role("heading", name="Go lighter today")).to_be_visible()
    assert MorningCheck.objects.count() == 1


def test_a_worse_answer_lowers_the_amount_offered_to_the_prescription_at_once(
    phone_page, patient_a, server_clock
):
    """Yesterday's best was 20 (of 10 prescribed): on a "worse" morning the reps box and the
    one-tap buttons offer 10, without a new page and with no connection."""
    yesterday = patient_a.local_today() - timedelta(days=1)
    program = ProgramFactory(patient=patient_a, name="Hip strength", start_date=yesterday)
    item = clamshell_item(patient_a, program=program)
    set_log_record(
        patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=yesterday,
        side="left", reps=20, pain=2,
    )  # fmt: skip
    page = phone_page
    browser_clock(page)
    sign_in_patient(page, patient_a)
    reps = page.locator(f"#reps-{item.public_id}")
    expect(reps).to_have_value("20")
    expect(page.get_by_role("button", name="Log left set 1: 20 reps")).to_be_visible()

    set_offline(page, True)
    page.locator('input[name="hip"][value="worse"]').check()
    page.locator('input[name="stiffness"][value="same"]').check()
    page.get_by_role("button", name="Save my answer").tap()

    expect(reps).to_have_value("10")
    expect(page.get_by_role("button", name="Log left set 1: 10 reps")).to_be_visible()
    expect(page.get_by_role("button", name="Log right set 1: 10 reps")).to_be_visible()
    expect(page.get_by_text("Your hip is worse this morning: go lighter today")).to_be_visible()
    page.get_by_role("button", name="One rep fewer for Clam").tap()  # lower still: kept
    set_offline(page, False)
    page.wait_for_function(
        "() => Object.keys(localStorage).every((k) => !k.startsWith('clamshell.morning.'))"
    )
    expect(reps).to_have_value("9")
    page.reload()
    expect(reps).to_have_value("10")  # drawn by the server now
