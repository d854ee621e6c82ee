"""In the inbox, approving a level whose exercise the patient already does in another program
is refused on the card itself, naming both items; the card then offers the builder's "Run it
in both places" box, and ticked, the approval goes through."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.programs.models import ProgramItem
from tests.browser.conftest import assert_accessible, screenshot, sign_in_staff, watch_errors
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.notifications.conftest import make_prompt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approving_into_an_exercise_done_elsewhere_asks_on_the_card(
    desktop_page, therapist_a, patient_a
):
    prompt = make_prompt(patient_a)
    entering = prompt.item.ladder.levels.get(level=prompt.next_level).exercise
    home = ProgramFactory(patient=patient_a, name="Home program")
    ExerciseItemFactory(program=home, exercise=entering)
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto("/inbox/")
    card = page.locator(f"#prompt-{prompt.public_id}")
    expect(card.get_by_label("Run it in both places")).to_have_count(0)

    card.get_by_role("button", name=f"Approve level {prompt.next_level}").click()

    expect(card.get_by_role("alert")).to_contain_text(
        f"{entering.name} on its own (in “Home program”) both include {entering.name}: the "
        f"patient would do {entering.name} twice on the same day."
    )
    assert ProgramItem.objects.get(pk=prompt.item.pk).current_level == prompt.level
    assert_accessible(page)
    screenshot(page, "inbox-level-done-elsewhere-refused")

    card.get_by_label("Run it in both places").check()
    card.get_by_role("button", name=f"Approve level {prompt.next_level}").click()

    expect(page.locator(f"#prompt-{prompt.public_id}-title")).to_contain_text("Approved")
    assert ProgramItem.objects.get(pk=prompt.item.pk).current_level == prompt.next_level
    assert [e.split(" http")[0] for e in errors] == ["400 POST"]  # the refused approval, only
