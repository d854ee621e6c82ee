"""A form htmx sends while the clinic is suspended (the builder's Add) is refused, and the
browser loads the page whole: the suspended page, whose "not saved" summary has the focus, so
a screen reader reads it first, as after a plain form. Nothing was added."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.clinics.models import User
from apps.clinics.services import clinic_suspend
from tests.browser.conftest import sign_in_staff
from tests.factories import ExerciseFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_SAVED = "What you just sent was not saved: send it again once the account is resumed."


def test_an_add_sent_while_suspended_reloads_the_page_saying_it_was_not_saved(
    desktop_page, therapist_a
):
    ExerciseFactory(name="Side-lying abduction")
    program = ProgramFactory(patient=PatientFactory(therapist=therapist_a), name="Hip strength")
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    page = desktop_page
    sign_in_staff(page, therapist_a)
    page.goto(f"/programs/{program.public_id}/")
    clinic_suspend(clinic=therapist_a.clinic, actor=operator, reason="Unpaid")

    page.get_by_role("button", name="Add Side-lying abduction").click()

    expect(page.get_by_role("heading", name="Account suspended")).to_be_visible()
    summary = page.get_by_role("alert").filter(has_text=NOT_SAVED)
    expect(summary).to_be_focused()
    assert page.url.endswith(f"/programs/{program.public_id}/")
    assert program.items.count() == 0
    # Only once: opened again, the page no longer speaks of a form.
    page.reload()
    expect(page.get_by_role("heading", name="Account suspended")).to_be_visible()
    expect(page.get_by_text("not saved")).to_have_count(0)
