"""Enter in the reps box (a phone keyboard's "Go") logs the side that is due, not whichever
side's button comes first in the form: a wrong-side set would skew adherence and the
per-side rule that raises progression prompts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.programs.models import SetLog
from tests.browser.conftest import clamshell_item, sign_in_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "All your sets are saved."


@pytest.fixture
def clam(patient_a):
    return clamshell_item(patient_a)


def sides_logged(item) -> list[str]:
    return list(
        SetLog.objects.filter(item=item).order_by("logged_at").values_list("side", flat=True)
    )


def test_enter_in_the_reps_box_logs_the_side_with_fewer_sets(phone_page, patient_a, clam):
    page = phone_page
    sign_in_patient(page, patient_a)
    card = page.locator(f"#item-{clam.public_id}")
    status = page.locator("#sync-status")

    card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    card.locator('[data-log-side="left"]').tap()
    expect(status).to_have_text(SAVED)

    # Right is due now: the page redrew its counts without a reload.
    card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    card.get_by_label(re.compile(r"^Reps done")).fill("9")
    card.get_by_label(re.compile(r"^Reps done")).press("Enter")
    expect(card.locator('.side[data-side="right"] [data-side-done]')).to_have_text("1")
    expect(status).to_have_text(SAVED)
    assert sides_logged(clam) == ["left", "right"]
