"""The locked-link page (too many wrong years of birth) gives the clinic's phone when the
clinic has one, as the other patient pages do, so the patient can call for a new link."""

import pytest

from apps.patients import auth

pytestmark = pytest.mark.django_db

PHONE = "020 7946 0958"


def open_link(client, patient, year=None):
    path = auth.personal_link_path(patient)
    return client.post(path, {"year_of_birth": year}) if year else client.get(path)


def lock(client, patient):
    for _ in range(4):
        open_link(client, patient, 1999)
    return open_link(client, patient, 1999)


def with_phone(patient, phone=PHONE):
    patient.clinic.phone = phone
    patient.clinic.save(update_fields=["phone"])


def test_the_locked_page_gives_the_clinics_phone(client, patient_a):
    with_phone(patient_a)

    response = lock(client, patient_a)

    assert response.status_code == 403
    assert f'<a href="tel:02079460958">{PHONE}</a>' in response.text
    # Opened again later, the link is still locked and the page still says whom to call.
    again = open_link(client, patient_a)
    assert again.status_code == 403
    assert f'<a href="tel:02079460958">{PHONE}</a>' in again.text


def test_without_a_phone_the_locked_page_says_to_contact_the_clinic(client, patient_a):
    with_phone(patient_a, "")

    response = lock(client, patient_a)

    assert response.status_code == 403
    assert "tel:" not in response.text
    assert "contact your clinic" in response.text
