"""The hold timer's closing words (read out by a screen reader) ask for the pain only when the
set has none yet: a patient who chose it before starting the hold was told to choose it again."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.exercises.models import Exercise
from tests.browser.conftest import browser_clock, sign_in_patient, watch_errors
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def squeeze(patient_a, server_clock):
    call_command("load_library", stdout=io.StringIO())
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    return ExerciseItemFactory(
        program=program, exercise=Exercise.objects.get(key="gluteal-squeeze"), sets=2,
        reps=None, hold_seconds=5, per_side=False, position=0,
    )  # fmt: skip


def _hold(page, card) -> None:
    card.get_by_role("button", name="Start the 5-second timer for Gluteal squeeze").tap()
    page.clock.run_for(6000)


def test_the_timer_asks_for_the_pain_only_when_none_is_chosen(phone_page, patient_a, squeeze):
    page = phone_page
    errors = watch_errors(page)
    browser_clock(page)
    sign_in_patient(page, patient_a)
    card = page.locator(f"#item-{squeeze.public_id}")
    announce = card.locator("[data-timer-announce]")

    _hold(page, card)
    expect(announce).to_have_text("Hold done. Choose your pain and log the set.")

    card.locator(".pain-option span", has_text=re.compile(r"^1$")).tap()
    _hold(page, card)
    expect(announce).to_have_text("Hold done. Log the set.")
    assert errors == []
