"""In the builder of an assigned program, a ladder already running in another of the
patient's programs is named before it is added; adding it again is refused until the
therapist ticks "Run it in both places", and the item then says where else it runs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in_staff, watch_errors
from tests.factories import LadderFactory, LadderItemFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adding_a_ladder_already_running_asks_for_confirmation(desktop_page, therapist_a):
    ladder = LadderFactory(name="Clamshell (Boren 2011)")
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    LadderItemFactory(
        program=ProgramFactory(patient=patient, name="Hip program"), ladder=ladder, current_level=3
    )
    program = ProgramFactory(patient=patient, name="Home program")
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Add a ladder"))
    expect(card).to_contain_text("Clamshell (Boren 2011) at level 3 in “Hip program”")
    assert_accessible(page)

    card.get_by_label("Ladder").select_option(label="Clamshell (Boren 2011) (4 levels)")
    card.get_by_role("button", name="Add ladder").click()

    expect(page.locator("#builder-status")).to_contain_text("already running")
    assert not program.items.exists()
    screenshot(page, "builder-duplicate-ladder-refused")

    card.get_by_label("Run it in both places").check()
    card.get_by_role("button", name="Add ladder").click()

    expect(page.locator("#items .builder-item")).to_have_count(1)
    expect(page.locator("#items")).to_contain_text("Also running in “Hip program” at level 3")
    assert program.items.filter(ladder=ladder).count() == 1
    assert_accessible(page)
    assert [e.split(" http")[0] for e in errors] == ["400 POST"]  # the refused Add, only


def test_adding_a_level_of_a_running_ladder_on_its_own_asks_for_confirmation(
    desktop_page, therapist_a
):
    ladder = LadderFactory(name="Clamshell (Boren 2011)")
    top = ladder.levels.get(level=4).exercise
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    LadderItemFactory(
        program=ProgramFactory(patient=patient, name="Hip program"), ladder=ladder, current_level=3
    )
    program = ProgramFactory(patient=patient, name="Home program")
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    page.get_by_label("Search by name or alias").fill(top.name)
    # The whole library is listed before the search answers: acting on that list, the box
    # ticked below could be drawn again, unticked, when the search's own list replaces it.
    expect(page.locator("#search-results")).to_contain_text(re.compile(r"match(es)?, sorted by"))
    result = page.locator("#search-results li", has_text=top.name)
    expect(result).to_contain_text(
        "Also level 4 of the Clamshell (Boren 2011) ladder (level 3 in “Hip program”)"
    )
    assert_accessible(page)

    result.get_by_role("button", name=f"Add {top.name}").click()

    expect(page.locator("#builder-status")).to_contain_text("both include")
    assert not program.items.exists()

    result.get_by_label("Run it in both places").check()
    result.get_by_role("button", name=f"Add {top.name}").click()

    expect(page.locator("#items .builder-item")).to_have_count(1)
    expect(page.locator("#items")).to_contain_text(
        f"Shares {top.name} with the Clamshell (Boren 2011) ladder (level 3 in “Hip program”)"
    )
    assert program.items.filter(exercise=top).count() == 1
    assert_accessible(page)
    assert [e.split(" http")[0] for e in errors] == ["400 POST"]  # the refused Add, only


def test_a_new_end_date_that_runs_a_ladder_twice_asks_for_confirmation(desktop_page, therapist_a):
    """The Schedule card asks as the Add and Assign forms do: an end moved past the start
    of another program with the same ladder is refused, naming it, and the box to tick
    appears on the card; ticked, the new end is saved."""
    ladder = LadderFactory(name="Clamshell (Boren 2011)")
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    today = patient.local_today()
    program = ProgramFactory(patient=patient, name="Hip program", end_date=today + timedelta(5))
    LadderItemFactory(program=program, ladder=ladder, current_level=3)
    later = ProgramFactory(patient=patient, name="Home program", start_date=today + timedelta(10))
    LadderItemFactory(program=later, ladder=ladder, current_level=1)
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Schedule"))
    expect(card.get_by_label("Run it in both places")).to_have_count(0)

    card.get_by_label("End date (optional)").fill("")
    card.get_by_role("button", name="Save schedule").click()

    expect(card).to_contain_text(
        "Clamshell (Boren 2011) is already running for this patient in “Home program” at level 1."
    )
    program.refresh_from_db()
    assert program.end_date == today + timedelta(5)
    assert_accessible(page)
    screenshot(page, "builder-schedule-duplicate-ladder-refused")

    card.get_by_label("End date (optional)").fill("")
    card.get_by_label("Run it in both places").check()
    card.get_by_role("button", name="Save schedule").click()

    expect(page.get_by_text("Schedule saved.")).to_be_visible()
    program.refresh_from_db()
    assert program.end_date is None
    assert [e.split(" http")[0] for e in errors] == ["400 POST"]  # the refused Save, only
