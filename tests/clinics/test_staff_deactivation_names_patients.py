"""A deactivation refused because the colleague still looks after patients says which: the
first few by name (each linked to the page where they are handed to a colleague) and how
many in all, so the admin can act on it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.clinics.models import User
from apps.clinics.services import staff_deactivation_refused
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

NAMES = ["Ann Ash", "Ben Birch", "Cal Cedar", "Dee Dogwood", "Eve Elm", "Fay Fir", "Gus Gum"]


@pytest.fixture
def dana(clinic_a) -> User:
    person: User = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    return person


def test_the_refusal_names_the_first_patients_links_them_and_counts_the_rest(
    admin_a, dana, therapist_a
):
    patients = [PatientFactory(therapist=dana, full_name=name) for name in reversed(NAMES)]
    PatientFactory(therapist=dana, full_name="Zed Archived", archived_at=timezone.now())
    PatientFactory(therapist=therapist_a, full_name="Not Dana's")

    response = signed_in(admin_a).post(
        "/clinic/staff/", {"colleague": dana.public_id, "change": "deactivate"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Dana Hill still looks after 7 active patients" in body
    by_name = {p.full_name: p for p in patients}
    for name in NAMES[:5]:
        assert f'<a href="/patients/{by_name[name].public_id}/edit/">{name}</a>' in body
    assert "and 2 more" in body
    for name in ("Fay Fir", "Gus Gum", "Zed Archived", "Not Dana&#x27;s"):
        assert name not in body
    dana.refresh_from_db()
    assert dana.is_active


def test_one_patient_is_named_without_a_count_of_others(admin_a, dana):
    PatientFactory(therapist=dana, full_name="Ann Ash")

    response = signed_in(admin_a).post(
        "/clinic/staff/", {"colleague": dana.public_id, "change": "deactivate"}
    )

    body = response.content.decode()
    assert "Dana Hill still looks after 1 active patient:" in body
    assert "more" not in body[body.index("still looks after") :][:300]


def test_the_services_reason_names_them_too_for_django_admin(dana):
    for name in NAMES:
        PatientFactory(therapist=dana, full_name=name)

    refused = staff_deactivation_refused(dana)

    assert refused == (
        "Move this therapist's patients to a colleague before deactivating: they still look "
        "after Ann Ash, Ben Birch, Cal Cedar, Dee Dogwood, Eve Elm and 2 more (7 in all)."
    )


def test_nobody_is_named_once_their_patients_are_moved(admin_a, dana):
    response = signed_in(admin_a).post(
        "/clinic/staff/", {"colleague": dana.public_id, "change": "deactivate"}
    )

    assert response.status_code == 302
    dana.refresh_from_db()
    assert not dana.is_active


def _form_for(page: str, label: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the form whose button says ``label``."""
    import re

    at = page.index(label)
    start = page.rindex("<form", 0, at)
    form = page[start : page.index("</form>", at)]
    action = re.search(r'action="([^"]*)"', form)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return (action.group(1) if action else ""), fields


def test_a_refused_deactivation_stays_at_the_staff_pages_own_address(admin_a, dana):
    # Reloading or bookmarking the page after a refusal shows the staff page, never a 405
    # from an address that only takes a POST.
    PatientFactory(therapist=dana, full_name="Ann Ash")
    client = signed_in(admin_a)
    action, fields = _form_for(client.get("/clinic/staff/").text, "Yes, deactivate")

    refused = client.post(action or "/clinic/staff/", fields)

    assert refused.status_code == 400
    assert "Dana Hill still looks after 1 active patient" in refused.text
    assert (action or "/clinic/staff/") == "/clinic/staff/"
    assert client.get(action or "/clinic/staff/").status_code == 200
