"""A set tapped while the one before it is still on its way is sent as soon as that one is
done, not at the next retry half a minute later."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.programs.models import SetLog
from tests.browser.conftest import PHONE, browser_page, clamshell_item, sign_in_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETRY_S = 30  # js/today/sync.mjs's RETRY_MS: the old wait for a set that found a send in flight


@pytest.fixture
def clam(patient_a):
    return clamshell_item(patient_a)


def test_a_set_tapped_during_a_send_follows_it_at_once(browser, live_server, patient_a, clam):
    # No service worker: the test holds the first send back itself, which a worker would hide.
    options = {**PHONE, "service_workers": "block"}
    with browser_page(browser, live_server, **options) as page:
        sign_in_patient(page, patient_a)
        held = []  # the first set's request, held as on a slow connection until let go

        def hold_the_first(route):
            if held:
                route.continue_()
            else:
                held.append(route)

        page.route(re.compile(r"/api/v1/me/logs/$"), hold_the_first)
        card = page.locator(f"#item-{clam.public_id}")
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
        card.locator('[data-log-side="left"]').tap()
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
        card.locator('[data-log-side="right"]').tap()  # while the left set is on its way
        expect(page.locator("#sync-status")).to_contain_text("2 sets are saved on this phone")
        for _ in range(50):  # Playwright hands the request to the handler between its calls
            if held:
                break
            page.wait_for_timeout(100)
        assert len(held) == 1

        held[0].continue_()
        # Well before the next retry: the old page sent it only then.
        expect(page.locator("#sync-status")).to_have_text(
            "All your sets are saved.", timeout=RETRY_S * 1000 // 3
        )
        assert sorted(SetLog.objects.filter(item=clam).values_list("side", flat=True)) == [
            "left",
            "right",
        ]
