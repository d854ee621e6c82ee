"""A family phone with the service worker: patient A opened Today, so the worker keeps her
Today, History and plan for offline use. When someone else signs in on the phone (another
patient by their personal link or a one-time link, a member of staff), the worker forgets
them the moment the sign-in form is sent: a first page too slow for the network then falls
back to the offline page, never to A's Today (her exercises shown to someone else, and the
sets they tap there joining A's queue, to be filed as hers). A's sets waiting on the phone
are kept and go out when she signs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.patients.auth import one_time_link_create, personal_link_path
from apps.patients.services import patient_sessions_end
from apps.programs.models import SetLog
from tests.browser.conftest import (
    PHONE,
    browser_page,
    set_offline,
    sign_in_patient,
    sign_in_staff,
    slow_page,
    wait_until,
)
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATIENT_PAGES = ["/today/", "/history/", "/api/v1/me/today/"]
# Longer than the worker's 5 s network timeout.
SLOW = 6.5


# The patient pages the worker holds, of PATIENT_PAGES.
KEPT = """async (urls) => {
  const kept = [];
  for (const url of urls) if (await caches.match(url)) kept.push(url);
  return kept;
}"""


def _kept_for_offline(page, patient) -> None:
    """``patient`` signs in and opens Today under the worker, which keeps their pages."""
    sign_in_patient(page, patient)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(
        page, f"async (urls) => (await ({KEPT})(urls)).length === urls.length", PATIENT_PAGES
    )


def _kept_pages(page) -> list[str]:
    return page.evaluate(KEPT, PATIENT_PAGES)


def _queued(page, patient) -> int:
    return page.evaluate(
        "id => JSON.parse(localStorage.getItem('clamshell.queue.' + id) || '[]').length",
        str(patient.public_id),
    )


def _shows_offline_page(page) -> None:
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert page.locator("#today").count() == 0


def test_a_patient_signing_in_on_a_slow_network_never_sees_the_last_patients_today(
    browser, live_server, patient_a, therapist_a
):
    relative = PatientFactory(therapist=therapist_a, full_name="Rita A", year_of_birth=1990)
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    ExerciseItemFactory(program=ProgramFactory(patient=relative), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE) as page:
        _kept_for_offline(page, patient_a)
        # Her session ends (her link was renewed, say) and the set she logs waits on the phone.
        # (Logged offline instead, its first try could still reach the server once the phone
        # is back online: the page says "saved on this phone" before that try has failed.)
        patient_sessions_end(patient=patient_a)
        card = page.locator(f"#item-{item.public_id}")
        card.locator(".pain-option span", has_text=re.compile(r"^4$")).click()
        card.get_by_role("button", name=re.compile(r"Log left set")).click()
        expect(page.locator("#sync-status")).to_contain_text("Sign in again")

        # Her relative opens their own link; their Today is slower than the worker waits.
        page.goto(personal_link_path(relative))
        page.get_by_label("Your year of birth").fill(str(relative.year_of_birth))
        with slow_page("/today/", seconds=SLOW, answered=False):
            page.get_by_role("button", name="Open my exercises").click()
            page.wait_for_url("**/today/", timeout=40_000)
        _shows_offline_page(page)  # not Ann's Today
        assert _kept_pages(page) == []
        assert _queued(page, patient_a) == 1  # her set is still on the phone

        # Nor her History or plan, offline.
        set_offline(page, True)
        page.goto("/history/")
        _shows_offline_page(page)
        plan = page.evaluate("fetch('/api/v1/me/today/').then(r => r.status, () => 'failed')")
        assert plan == "failed"
        set_offline(page, False)
        assert SetLog.objects.count() == 0

        # She signs in again: her set goes out, as hers, once.
        sign_in_patient(page, patient_a)
        expect(page.locator("#sync-status")).to_contain_text("All your sets are saved")
        log = SetLog.objects.get()
        assert (log.patient, log.side, log.pain) == (patient_a, "left", 4)
        assert _queued(page, patient_a) == 0


def test_a_one_time_link_on_a_slow_network_waits_for_its_own_patients_today(
    browser, live_server, patient_a, therapist_a
):
    relative = PatientFactory(therapist=therapist_a, full_name="Rita A", year_of_birth=1990)
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    ExerciseItemFactory(program=ProgramFactory(patient=relative), sets=2, reps=10)
    token = one_time_link_create(patient=relative)
    with browser_page(browser, live_server, **PHONE) as page:
        _kept_for_offline(page, patient_a)

        page.goto(f"/sign-in/link/{token}/")
        with slow_page("/today/", seconds=SLOW, answered=True):
            page.get_by_role("button", name="Open my exercises").click()
            page.wait_for_url("**/today/", timeout=40_000)
        # Late, but the relative's own Today, not Ann's kept one.
        expect(page.locator("#today")).to_have_attribute("data-patient", str(relative.public_id))


def test_staff_signing_in_after_a_patient_never_see_her_kept_pages(
    browser, live_server, patient_a, therapist_a
):
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE) as page:
        _kept_for_offline(page, patient_a)

        sign_in_staff(page, therapist_a)
        assert _kept_pages(page) == []
        set_offline(page, True)
        for path in ("/today/", "/history/"):
            page.goto(path)
            _shows_offline_page(page)


def test_a_patient_opening_her_own_link_offline_keeps_her_offline_today(phone_page, patient_a):
    # Only a sign-in form sent makes the worker forget: the link itself just shows the form.
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    page = phone_page
    _kept_for_offline(page, patient_a)

    set_offline(page, True)
    page.goto(personal_link_path(patient_a))
    _shows_offline_page(page)
    page.goto("/today/")
    expect(page.locator("#today")).to_have_attribute("data-patient", str(patient_a.public_id))


def test_a_lost_phone_forgets_her_kept_pages_once_the_server_says_her_session_ended(
    phone_page, patient_a
):
    # Her phone is lost: her therapist ends her sessions. The next time the phone is online and
    # opens Today, the server sends it to the sign-in page; from then on, offline, the phone
    # shows nobody her exercises or History. Her set waiting on the phone stays for her.
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    page = phone_page
    _kept_for_offline(page, patient_a)
    set_offline(page, True)
    card = page.locator(f"#item-{item.public_id}")
    card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
    card.get_by_role("button", name=re.compile(r"Log left set")).click()
    wait_until(page, f"() => localStorage.getItem('clamshell.queue.{patient_a.public_id}')")
    # Her sessions end while the phone is still offline: back online first, the page would
    # send the waiting set at once (the 'online' event), and the set could be saved before
    # her session ended, leaving nothing waiting to check (it failed so under load).
    patient_sessions_end(patient=patient_a)
    set_offline(page, False)

    page.goto("/today/")
    page.wait_for_url("**/sign-in/link/**")
    wait_until(page, f"async (urls) => (await ({KEPT})(urls)).length === 0", PATIENT_PAGES)

    set_offline(page, True)
    for path in ("/today/", "/history/"):
        page.goto(path)
        _shows_offline_page(page)
    assert _queued(page, patient_a) == 1


def test_a_refused_plan_makes_the_phone_forget_her_kept_pages(phone_page, patient_a):
    # The page itself may come from the phone's copy; the plan it asks for is refused once her
    # session has ended, and that is enough to forget her pages.
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    page = phone_page
    _kept_for_offline(page, patient_a)

    patient_sessions_end(patient=patient_a)
    status = page.evaluate("fetch('/api/v1/me/today/').then(r => r.status)")
    assert status in (401, 403)
    wait_until(page, f"async (urls) => (await ({KEPT})(urls)).length === 0", PATIENT_PAGES)


def test_a_signed_in_patient_opening_the_link_request_page_keeps_her_pages(phone_page, patient_a):
    # Only a redirect from one of her pages says her session ended: opening the page that asks
    # for a one-time link by itself forgets nothing.
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    page = phone_page
    _kept_for_offline(page, patient_a)

    page.goto("/sign-in/link/")
    page.goto("/sign-in/link/?next=/staff/")
    assert sorted(_kept_pages(page)) == sorted(PATIENT_PAGES)
