"""A deploy while sets wait on the phone: the service worker is replaced (a new cache
version, the old cache deleted) and the page comes from the new release; the waiting sets
are kept on the phone (not in the worker's cache) and the new page sends them, once."""

from __future__ import annotations

import re

import pytest

from apps.portal.views import offline as offline_views
from apps.programs.models import SetLog
from tests.browser.conftest import set_offline, sign_in_patient, wait_until
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sets_waiting_across_a_new_service_worker_are_sent_once(phone_page, patient_a, monkeypatch):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    page = phone_page
    sign_in_patient(page, patient_a)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    old = page.evaluate("caches.keys()")
    card = page.locator(f"#item-{item.public_id}")
    set_offline(page, True)
    card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
    card.get_by_role("button", name=re.compile(r"Log left set")).click()
    page.locator("#sync-status").filter(has_text="saved on this phone").wait_for()

    # The deploy: /sw.js now names another version. The page is closed before the phone is
    # back online (it would send at once); the next one comes from the new release.
    config = offline_views._worker_config()
    monkeypatch.setattr(
        offline_views, "_worker_config", lambda: {**config, "version": "next-release"}
    )
    page.goto("about:blank")
    set_offline(page, False)
    page.goto("/today/")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    wait_until(page, "async () => (await caches.keys()).includes('clamshell-next-release')")
    wait_until(page, "async (old) => !(await caches.keys()).some(k => old.includes(k))", old)

    page.reload()  # under the new worker: nothing is sent twice
    card.get_by_text("Set 1: 10 reps, pain 2").wait_for()
    log = SetLog.objects.get()
    assert (log.patient, log.side, log.pain) == (patient_a, "left", 2)
