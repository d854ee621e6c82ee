"""A patient's phone while her clinic is suspended: a set she taps (or a queue sent when the
phone is back online) is refused with 403 and stays on the phone, and the page says why in
the server's words, not "sign in again" (her session still holds). Opening Today shows the
suspended page; the service worker forgets the pages it kept, as for any refused page. Once
the clinic is resumed her waiting sets go out, each once, with no new sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.clinics.models import User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.programs.models import SetLog
from tests.browser.conftest import PHONE, browser_page, set_offline, sign_in_patient, wait_until
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUSPENDED = "Your clinic's Clamshell account is suspended"
KEPT_PAGES = """async () => {
  const kept = [];
  for (const url of ["/today/", "/history/", "/api/v1/me/today/"]) {
    if (await caches.match(url)) kept.push(url);
  }
  return kept;
}"""


def _queued(page, patient) -> int:
    return page.evaluate(
        "id => JSON.parse(localStorage.getItem('clamshell.queue.' + id) || '[]').length",
        str(patient.public_id),
    )


def _log(page, item, pain: int) -> None:
    page.wait_for_timeout(1600)  # a second tap of a side within 1.5 s is a double tap, dropped
    card = page.locator(f"#item-{item.public_id}")
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).click()
    card.get_by_role("button", name=re.compile(r"Log left set")).click()


def test_sets_sent_while_suspended_stay_on_the_phone_and_go_once_resumed(
    browser, live_server, patient_a
):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=3, reps=10)
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        clinic_suspend(clinic=patient_a.clinic, actor=operator, reason="Unpaid")

        # One tap online: refused, kept, and told why.
        _log(page, item, 2)
        status = page.locator("#sync-status")
        expect(status).to_contain_text(SUSPENDED)
        expect(status).to_contain_text("1 set is saved on this phone")
        expect(status).not_to_contain_text("Sign in again")
        assert _queued(page, patient_a) == 1

        # Two more offline, sent together when the phone is back: the batch is refused too.
        set_offline(page, True)
        _log(page, item, 3)
        _log(page, item, 3)
        set_offline(page, False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(status).to_contain_text("3 sets are saved on this phone")
        expect(status).to_contain_text(SUSPENDED)
        assert _queued(page, patient_a) == 3
        assert SetLog.objects.count() == 0

        # Opening Today says why; the pages kept for offline are forgotten, the sets are not.
        page.goto("/today/")
        expect(page.get_by_role("heading", name="Account suspended")).to_be_visible()
        wait_until(page, f"async () => (await ({KEPT_PAGES})()).length === 0")
        assert _queued(page, patient_a) == 3

        # Resumed: her session still holds, and Today sends what waited, each set once.
        clinic_resume(clinic=patient_a.clinic, actor=operator)
        page.goto("/today/")
        expect(status).to_contain_text("All your sets are saved")
        assert _queued(page, patient_a) == 0
        assert sorted(SetLog.objects.values_list("pain", flat=True)) == [2, 3, 3]
