"""The builder keeps a keyboard or screen-reader user where they can act after htmx replaces
the program's items: a refused dose change puts focus on the field to fix, every time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_staff
from tests.factories import ExerciseFactory, ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el.tagName + '#' + (el.id || '') + (el.isConnected ? '' : ' (detached)'); }"
    )


def test_a_refused_dose_puts_focus_on_the_field_to_fix_each_time(desktop_page, therapist_a):
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    program = ProgramFactory(patient=patient, name="Hip strength")
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Side-lying abduction"))
    page = desktop_page
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")

    page.get_by_text("Change dose").click()
    sets = page.locator("#items details[open]").get_by_label("Sets")
    for refused in ("0", "-1"):  # the second refusal swaps in a page that already had errors
        sets.fill(refused)
        page.get_by_role("button", name="Save dose").click()
        expect(page.locator("#items .field-invalid")).to_contain_text("Sets")
        # Not the section's heading, nor the page itself (the old, replaced field).
        expect(page.locator("#items details[open]").get_by_label("Sets")).to_be_focused()
        assert _focused(page).startswith("INPUT#"), _focused(page)

    sets.fill("3")
    page.get_by_role("button", name="Save dose").click()
    expect(page.locator("#items .dose")).to_contain_text("3 sets")
    assert program.items.filter(sets=3).count() == 1  # a new version; the old one is history


def test_moving_an_item_to_the_end_keeps_focus_on_that_item(desktop_page, therapist_a):
    """Moved to the top or bottom by keyboard, the item's button just pressed is disabled:
    focus goes to the same item's other move button (named after it), not to the list's
    heading, so the therapist can move it back or on without finding it again."""
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    program = ProgramFactory(patient=patient, name="Hip strength")
    first = ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Bridge"))
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Side plank"))
    page = desktop_page
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")

    page.get_by_role("button", name=re.compile("^Move down.*Bridge")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".builder-item h3").last).to_contain_text("Bridge")
    up = page.get_by_role("button", name=re.compile("^Move up.*Bridge"))
    expect(up).to_be_focused()
    assert up.get_attribute("id") == f"up-{program.items.get(exercise=first.exercise).public_id}"

    page.keyboard.press("Enter")
    expect(page.locator(".builder-item h3").first).to_contain_text("Bridge")
    expect(page.get_by_role("button", name=re.compile("^Move down.*Bridge"))).to_be_focused()
