"""The 0-10 scales on a 360 px phone (Today's pain scale, a questionnaire's answers), at the
usual text size and with the text doubled (a phone's "large text"): every choice is a 44 px
target (STYLE.md) wide enough for its number, and none sticks out of its card."""

from __future__ import annotations

import re

import pytest

from apps.outcomes.services import measures_set
from apps.patients.auth import personal_link_path
from tests.browser.conftest import browser_page, clamshell_item, screenshot
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}

# Each pain choice's box, and whether it lies inside its card's content box.
MEASURE = """() => [...document.querySelectorAll('.pain-option span')].map((span) => {
  const card = span.closest('article, form.card');
  const style = getComputedStyle(card);
  const inner = card.getBoundingClientRect();
  const left = inner.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
  const right = inner.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
  const r = span.getBoundingClientRect();
  return {
    pain: span.textContent, width: Math.round(r.width), height: Math.round(r.height),
    inside: r.left >= left - 1 && r.right <= right + 1,
    fits: span.scrollWidth <= span.clientWidth + 1,
  };
})"""


@pytest.fixture
def clam(patient_a, server_clock):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    measures_set(user=patient_a.therapist, program=program, instruments=["nprs"])
    return clamshell_item(patient_a, program=program, reps=12)


@pytest.mark.parametrize("text_scale", [1, 2], ids=["text-100", "text-200"])
def test_every_pain_choice_is_a_44px_target_inside_its_card(
    browser, live_server, patient_a, clam, text_scale
):
    with browser_page(browser, live_server, **PHONE_360) as page:
        page.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => "
            f"{{ document.documentElement.style.fontSize = '{100 * text_scale}%'; }});"
        )
        page.goto(personal_link_path(patient_a))
        page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
        page.get_by_role("button", name="Open my exercises").tap()
        page.wait_for_url("**/today/")
        choices = page.evaluate(MEASURE)
        screenshot(page, f"pain-scale-{text_scale}x")
        page.get_by_role("link", name=re.compile("^Your hip pain this week")).tap()
        page.wait_for_url("**/today/questionnaires/**")
        answers = page.evaluate(MEASURE)
        screenshot(page, f"nprs-scale-{text_scale}x")

    for scale in (choices, answers):
        assert [c["pain"] for c in scale] == [str(n) for n in range(11)]
        assert [c for c in scale if c["width"] < 44 or c["height"] < 44] == []
        assert [c for c in scale if not c["inside"] or not c["fits"]] == []
