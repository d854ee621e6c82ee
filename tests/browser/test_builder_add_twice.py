"""In the builder, a double click on Add adds the exercise once (htmx sends the second click
after the first is answered, with the same one-time key); a deliberate second Add of the same
exercise, later, adds it again: the form got a new key once its first Add was answered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_staff, watch_errors
from tests.factories import ExerciseFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_add_adds_once_and_a_later_add_adds_again(desktop_page, therapist_a):
    ExerciseFactory(name="Side-lying abduction")
    program = ProgramFactory(patient=PatientFactory(therapist=therapist_a), name="Hip strength")
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    add = page.get_by_role("button", name="Add Side-lying abduction")
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if "add-exercise" in r.url else None)

    add.dblclick()
    for _ in range(150):  # both clicks answered: htmx sends the second after the first
        if len(answers) == 2:
            break
        page.wait_for_timeout(100)

    assert answers == [200, 200]
    expect(page.locator("#builder-status")).to_contain_text("Added Side-lying abduction")
    expect(page.locator("#items .builder-item")).to_have_count(1)
    assert program.items.count() == 1

    page.wait_for_timeout(1200)  # the form has its new key: the next Add is a new one
    add.click()
    expect(page.locator("#items .builder-item")).to_have_count(2)
    assert program.items.count() == 2
    assert errors == []
