"""HTML forms name objects by public UUID, never by sequential primary key (the study
form's tests are in tests/exercises/test_study_public_ids.py)."""

import re
import uuid

import pytest

from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.patients.test_patient_pages import NEW_PATIENT

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([^"]*)"')


def option_values(html: str, select_name: str) -> list[str]:
    start = html.index(f'name="{select_name}"')
    block = html[start : html.index("</select>", start)]
    return [value for value in OPTION.findall(block) if value]


def assert_all_uuids(values: list[str]) -> None:
    assert values
    for value in values:
        uuid.UUID(value)  # raises on a sequential id


def test_the_patient_form_offers_therapists_by_public_id(admin_a, therapist_a):
    html = signed_in(admin_a).get("/patients/new/").content.decode()

    assert_all_uuids(option_values(html, "therapist"))


def test_a_therapist_named_by_sequential_id_is_refused(admin_a, therapist_a):
    response = signed_in(admin_a).post(
        "/patients/new/", NEW_PATIENT | {"therapist": therapist_a.pk}
    )

    assert response.status_code == 400
    assert not Patient.objects.exists()
