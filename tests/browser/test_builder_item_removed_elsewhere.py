"""The same program open in two tabs: an exercise removed in one, then its dose saved in the
other. The save used to answer 404, which htmx does not swap, so nothing at all was shown; the
status line now says the exercise was removed in another window and to reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.programs.models import ProgramItem
from tests.browser.conftest import sign_in_staff
from tests.factories import ExerciseFactory, ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REMOVED = (
    "This exercise was removed from the program in another window; "
    "reload to see the current program."
)


def test_saving_an_exercise_removed_in_another_tab_says_so(desktop_page, therapist_a):
    program = ProgramFactory(patient=PatientFactory(therapist=therapist_a), name="Hip strength")
    exercise = ExerciseFactory(name="Side-lying abduction")
    item = ExerciseItemFactory(program=program, exercise=exercise, sets=2)
    first = desktop_page
    sign_in_staff(first, therapist_a)
    first.goto(f"/programs/{program.public_id}/")
    second = first.context.new_page()  # the same browser session, another tab
    second.goto(f"/programs/{program.public_id}/")

    first.locator(f"#item-{item.public_id}").get_by_role(
        "button", name=re.compile("^Remove")
    ).click()
    expect(first.locator("#builder-status")).to_have_text("Item removed.")

    card = second.locator(f"#item-{item.public_id}")
    card.get_by_text("Change dose").click()
    card.get_by_label("Sets").fill("4")
    with second.expect_response(lambda r: f"/items/{item.public_id}/" in r.url) as answer:
        card.get_by_role("button", name="Save dose").click()

    assert answer.value.status == 409
    expect(second.locator("#builder-status")).to_have_text(REMOVED)
    assert not ProgramItem.objects.filter(program=program, sets=4).exists()
    second.close()
