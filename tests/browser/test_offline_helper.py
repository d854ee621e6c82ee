"""The offline helper must really cut the phone off: even a request the browser sends while
it believes it is online (as a just-reloaded page sometimes does under Chromium's emulation)
must fail at the server, and the phone must get through again once back online."""

from __future__ import annotations

import pytest

from tests.browser.conftest import _network_cut, set_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FETCH = "() => fetch('/healthz', {cache: 'no-store'}).then(r => r.status, e => 'failed: ' + e.name)"


def test_a_request_that_slips_past_the_offline_emulation_still_fails(phone_page):
    phone_page.goto("/sign-in/")
    assert phone_page.evaluate(FETCH) in (200, 503)  # online: the server answers

    set_offline(phone_page, True)
    assert phone_page.evaluate("navigator.onLine") is False
    assert phone_page.evaluate(FETCH) == "failed: TypeError"
    # The emulation lifted behind the helper's back: the server still drops the request.
    phone_page.context.set_offline(False)
    assert phone_page.evaluate(FETCH) == "failed: TypeError"

    set_offline(phone_page, False)
    assert not _network_cut.is_set()
    assert phone_page.evaluate(FETCH) in (200, 503)
