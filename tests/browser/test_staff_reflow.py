"""The staff pages a therapist uses most (patients, dashboard, a patient's page and progress, the
program builder, the inbox and its reminders, an exercise's evidence) on a 360 px screen, at
normal and doubled text size (WCAG 2.2 AA 1.4.10 reflow, 1.4.4 resize text): the page never
scrolls sideways. A wide table may, inside its own labelled region that takes the keyboard
focus; nothing else is wider than the screen."""

from __future__ import annotations

import pytest

from apps.exercises.models import Exercise
from tests.browser.conftest import (
    assert_accessible,
    browser_page,
    clamshell_item,
    sign_in_staff,
)
from tests.notifications.conftest import make_prompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page's own width against the screen's, what sticks out (outside a table's scrolling
# region), and scrolling regions a keyboard cannot reach or a screen reader cannot name.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => `${el.tagName}.${el.className} ${el.textContent.trim().slice(0, 30)}`;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => !el.parentElement.closest('.table-scroll'))
    .filter((el) => el.getBoundingClientRect().right > width + 1).map(name);
  const regions = [...document.querySelectorAll('.table-scroll')]
    .filter((el) => el.scrollWidth > el.clientWidth)
    .filter((el) => el.tabIndex < 0 || el.getAttribute('role') !== 'region'
      || !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))).map(name);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8), regions};
}"""


def _pages_too_wide(browser, live_server, user, pages, text_scale, *, every_violation=False):
    """What each page (signed in as ``user``, at 360 px and ``text_scale`` times the text)
    has wider than the screen, by page; with ``every_violation``, axe's findings of every
    impact also fail the test."""
    found = {}
    with browser_page(browser, live_server, viewport={"width": 360, "height": 740}) as page:
        sign_in_staff(page, user)
        page.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => "
            f"{{ document.documentElement.style.fontSize = '{100 * text_scale}%'; }});"
        )
        for url in pages:
            response = page.goto(url)
            assert response is not None
            assert response.status == 200, url
            page.wait_for_load_state()
            if every_violation:
                # Moderate ones included: a table's region named as its section is a
                # landmark named twice.
                assert_accessible(page, impacts=None)
            measured = page.evaluate(MEASURE)
            if measured["scroll"] > measured["width"] or measured["wide"] or measured["regions"]:
                found[url] = measured
    return found


@pytest.mark.parametrize("text_scale", [1, 2], ids=["text-100", "text-200"])
def test_the_main_staff_pages_fit_a_360px_screen(
    browser, live_server, therapist_a, patient_a, text_scale
):
    program = clamshell_item(patient_a).program
    make_prompt(patient_a)
    pages = [
        "/patients/",
        "/dashboard/",
        f"/patients/{patient_a.public_id}/",
        f"/patients/{patient_a.public_id}/progress/",
        f"/programs/{program.public_id}/",
        "/inbox/",
        "/inbox/reminders/",
        f"/library/exercises/{Exercise.objects.get(key='clam-1').public_id}/",
    ]
    assert _pages_too_wide(browser, live_server, therapist_a, pages, text_scale) == {}


@pytest.mark.parametrize("text_scale", [1, 2], ids=["text-100", "text-200"])
def test_the_clinic_admins_tables_fit_a_360px_screen(
    browser, live_server, admin_a, patient_a, text_scale
):
    """Staff, API tokens, templates, the audit log, remote monitoring, the licensed instruments
    and a patient's outcomes: each table scrolls in its own region, the page never does."""
    from apps.outcomes import monitoring_services

    clamshell_item(patient_a)
    monitoring_services.monitoring_set(admin=admin_a, enabled=True)
    pages = [
        "/clinic/staff/",
        "/clinic/api-tokens/",
        "/programs/",
        "/audit/",
        "/outcomes/monitoring/",
        "/outcomes/instruments/",
        f"/patients/{patient_a.public_id}/outcomes/",
    ]
    found = _pages_too_wide(browser, live_server, admin_a, pages, text_scale, every_violation=True)
    assert found == {}
