"""A form sent back with its errors opens with the focus on them, not at the top of the page
(WCAG 2.2 AA 3.3.1, 2.4.3, 4.1.2): on the error summary when there is one (focusable, an alert),
else on the first field marked invalid; every field in error is marked invalid and described by
its message (a group of boxes by its fieldset). One script of the base template does it on
every page; a page without errors keeps the focus where it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.patients.auth import personal_link_path
from tests.browser.conftest import PHONE, assert_accessible, browser_page, sign_in_staff
from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each field marked invalid, with the words that describe it: its own aria-describedby, or
# that of the group (fieldset) it is in.
MARKED = """() => [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => {
  const by = el.getAttribute('aria-describedby')
    || el.closest('fieldset')?.getAttribute('aria-describedby') || '';
  return [el.id, by.split(' ').filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim()).join(' ')];
})"""


def test_a_refused_staff_sign_in_focuses_its_summary(desktop_page, therapist_a):
    page = desktop_page
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(therapist_a.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert")
    expect(summary).to_have_text("That email and password do not match an account.")
    expect(summary).to_be_focused()
    assert summary.get_attribute("tabindex") == "-1"
    assert_accessible(page, impacts=None)


def test_a_refused_year_of_birth_focuses_the_field_described_by_its_message(
    browser, live_server, patient_a
):
    with browser_page(browser, live_server, **PHONE) as page:
        page.goto(personal_link_path(patient_a))
        year = page.get_by_label("Your year of birth")
        year.fill(str(patient_a.year_of_birth - 1))
        page.get_by_role("button", name="Open my exercises").click()

        expect(year).to_be_focused()
        # The reason, then the tries left: two paragraphs of the field's message (so no space
        # between them in its textContent).
        assert page.evaluate(MARKED) == [
            [
                "id_year_of_birth",
                "That year does not match our records."
                "You have 4 tries left before this link locks.",
            ]
        ]
        assert_accessible(page, impacts=None)


def test_a_refused_schedule_focuses_the_first_day_and_ties_the_days_to_the_message(
    desktop_page, therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a)
    page = desktop_page
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    days = page.get_by_role("group", name="Exercise days").get_by_role("checkbox")
    for n in range(days.count()):
        days.nth(n).uncheck()
    page.get_by_role("button", name="Save schedule").click()

    expect(page.get_by_role("group", name="Exercise days")).to_contain_text(
        "Choose at least one weekday."
    )
    expect(page.get_by_label("Monday")).to_be_focused()
    marked = page.evaluate(MARKED)
    assert [day for day, _ in marked] == [f"id_schedule_weekdays_{n}" for n in range(7)]
    assert {words for _, words in marked} == {"Choose at least one weekday."}
    assert_accessible(page, impacts=None)


def test_a_page_without_errors_leaves_the_focus_alone(desktop_page):
    desktop_page.goto("/sign-in/")
    desktop_page.wait_for_load_state()

    assert desktop_page.evaluate("document.activeElement === document.body")
