"""A clinic admin hands all of a colleague's patients to another from the staff page, in a
real browser; the page passes axe-core, its refusal included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.patients.models import Patient
from tests.browser.conftest import assert_accessible, screenshot, sign_in_staff, watch_errors
from tests.factories import PatientFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_hands_all_of_a_colleagues_patients_over_then_deactivates_them(
    desktop_page, admin_a, clinic_a
):
    dana = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    sam = StaffFactory(clinic=clinic_a, full_name="Sam Lee")
    for name in ("Ann Ash", "Ben Birch"):
        PatientFactory(therapist=dana, full_name=name)
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, admin_a)

    page.goto("/clinic/staff/")
    row = page.get_by_role("row", name=re.compile("Dana Hill"))
    row.locator("summary", has_text="Deactivate").click()
    row.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Dana Hill still looks after 2 active patients: Ann Ash, Ben Birch."
    )
    assert_accessible(page, impacts=None)
    page.get_by_role("link", name="hand all of them over at once").click()

    expect(page.get_by_role("heading", name="Hand over Dana Hill's patients")).to_be_visible()
    page.get_by_role("button", name="Hand over 2 patients").click()
    expect(page.get_by_text("Choose who looks after them from now.")).to_be_visible()
    assert_accessible(page, impacts=None)
    screenshot(page, "staff-hand-over")
    page.get_by_label("Who looks after them from now").select_option(label="Sam Lee")
    page.get_by_role("button", name="Hand over 2 patients").click()

    expect(page.get_by_text("2 patients of Dana Hill now looked after by Sam Lee.")).to_be_visible()
    assert set(Patient.objects.values_list("therapist_id", flat=True)) == {sam.pk}
    row = page.get_by_role("row", name=re.compile("Dana Hill"))
    expect(row.get_by_role("link", name=re.compile("Hand over patients"))).to_have_count(0)
    row.locator("summary", has_text="Deactivate").click()
    row.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_text("Dana Hill was deactivated")).to_be_visible()
    assert [e for e in errors if not e.startswith("400 POST")] == []


# The gap drawn between the end of "Hand over patients" and the "(" of the count: a space in a
# flex container's text was dropped, and the link read "Hand over patients(2)".
GAP_BEFORE_COUNT = """(link) => {
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement.closest('.visually-hidden')) nodes.push(node);
  }
  const words = nodes.find((node) => node.textContent.includes('patients'));
  const count = nodes.find((node) => node.textContent.includes('('));
  const end = document.createRange();
  end.setStart(words, words.textContent.indexOf('patients') + 'patients'.length - 1);
  end.setEnd(words, words.textContent.indexOf('patients') + 'patients'.length);
  const open = document.createRange();
  open.setStart(count, count.textContent.indexOf('('));
  open.setEnd(count, count.textContent.indexOf('(') + 1);
  return open.getBoundingClientRect().left - end.getBoundingClientRect().right;
}"""


def test_the_staff_page_spaces_the_count_and_lines_its_cards_up(desktop_page, admin_a, clinic_a):
    dana = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    PatientFactory(therapist=dana, full_name="Ann Ash")
    PatientFactory(therapist=dana, full_name="Ben Birch")
    page = desktop_page
    sign_in_staff(page, admin_a)

    page.goto("/clinic/staff/")

    link = page.get_by_role("link", name="Hand over patients of Dana Hill (2)")
    assert link.evaluate(GAP_BEFORE_COUNT) >= 2, "a space before the count"
    # The "Add a colleague" card starts where the staff table's card does, not centred.
    staff = page.locator("section", has=page.get_by_role("heading", name="Your clinic's staff"))
    invite = page.locator("section", has=page.get_by_role("heading", name="Add a colleague"))
    staff_box, invite_box = staff.bounding_box(), invite.bounding_box()
    assert staff_box is not None
    assert invite_box is not None
    assert abs(invite_box["x"] - staff_box["x"]) < 1
    assert_accessible(page, impacts=None)
