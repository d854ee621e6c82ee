"""Every control on an exercise's card names that exercise for a screen reader: "Log left
set 1" or "Change" alone repeats on every card, and someone listening to a list of the page's
buttons or links could not tell which exercise each one logs. The names hold for what the
page draws itself too (a set's "Change" link, the timer's "Stop" button)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.exercises.models import Exercise, Ladder
from tests.browser.conftest import browser_clock, sign_in_patient, watch_errors
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program(patient_a, server_clock):
    """Two per-side exercises with reps (the same controls on both cards) and a hold."""
    call_command("load_library", stdout=io.StringIO())
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    clam = LadderItemFactory(
        program=program, ladder=Ladder.objects.get(key="clamshell-boren-2011"), sets=2,
        reps=12, per_side=True, position=0,
    )  # fmt: skip
    raise_ = ExerciseItemFactory(
        program=program, exercise=Exercise.objects.get(key="side-lying-hip-abduction"),
        sets=2, reps=10, per_side=True, position=1,
    )  # fmt: skip
    squeeze = ExerciseItemFactory(
        program=program, exercise=Exercise.objects.get(key="gluteal-squeeze"), sets=1,
        reps=None, hold_seconds=5, per_side=False, position=2,
    )  # fmt: skip
    return clam, raise_, squeeze


def names(page, role: str) -> list[str]:
    """The accessible names of the page's buttons or links, as the accessibility tree has
    them (YAML quotes a line holding a colon: ``- 'button "Log set 1: 5 s hold"'``)."""
    snapshot = page.locator("main").aria_snapshot()
    found = re.findall(rf'^\s*- \'?{role} "(.*?)"(?:\'|:|$)', snapshot, flags=re.MULTILINE)
    assert found, snapshot
    return found


def test_each_cards_buttons_and_links_name_its_exercise(phone_page, patient_a, program):
    clam, raise_, squeeze = program
    page = phone_page
    errors = watch_errors(page)
    browser_clock(page)
    sign_in_patient(page, patient_a)
    clam_card = page.locator(f"#item-{clam.public_id}")
    squeeze_card = page.locator(f"#item-{squeeze.public_id}")
    clam_name = "Clam"
    raise_name = "Side-lying leg raise (hip abduction)"

    for card, name in (
        (clam_card, clam_name),
        (page.locator(f"#item-{raise_.public_id}"), raise_name),
    ):
        expect(card.locator('[data-log-side="left"]')).to_have_accessible_name(
            re.compile(rf"^Log left set 1: \d+ reps of {re.escape(name)}$")
        )
        expect(
            card.get_by_role("button", name=f"One rep more for {name}", exact=True)
        ).to_be_visible()
        expect(
            card.get_by_role("button", name=f"One rep fewer for {name}", exact=True)
        ).to_be_visible()
        expect(
            card.get_by_role(
                "group", name=re.compile(rf"^Pain during this set of {re.escape(name)}")
            )
        ).to_be_visible()
    timer = squeeze_card.get_by_role(
        "button", name="Start the 5-second timer for Gluteal squeeze", exact=True
    )
    expect(timer).to_be_visible()
    expect(squeeze_card.locator("[data-log-side]")).to_have_accessible_name(
        "Log set 1: 5 s hold of Gluteal squeeze"
    )
    buttons = names(page, "button")
    assert len(buttons) == len(set(buttons)), sorted(buttons)

    # The timer's button, changed by the page, keeps the name.
    timer.click()
    expect(squeeze_card.locator("[data-timer-start]")).to_have_accessible_name(
        "Stop the timer for Gluteal squeeze"
    )
    squeeze_card.locator("[data-timer-start]").click()
    expect(timer).to_be_visible()

    # A set logged: the page draws its "Change" link, named as the server's list names it.
    clam_card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    clam_card.locator('[data-log-side="left"]').tap()
    page.locator("#sync-status").filter(has_text="All your sets are saved.").wait_for()
    drawn = clam_card.get_by_role("link", name=f"Change left set 1 of {clam_name}", exact=True)
    expect(drawn).to_be_visible()
    expect(clam_card.locator('[data-log-side="left"]')).to_have_accessible_name(
        f"Log left set 2: 12 reps of {clam_name}"
    )
    page.reload()
    expect(drawn).to_be_visible()  # the server's list, the same name
    links = names(page, "link")
    assert len(links) == len(set(links)), sorted(links)
    assert errors == []
