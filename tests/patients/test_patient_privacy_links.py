"""A clinic admin reaches a patient's data export and erasure from the patient's page (they
were reachable only by typing their address); a therapist is not offered them (both are a 403
for a therapist)."""

import pytest

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_an_admin_is_offered_the_export_and_the_erasure(admin_a, patient_a):
    html = signed_in(admin_a).get(f"/patients/{patient_a.public_id}/").content.decode()

    assert f'href="/patients/{patient_a.public_id}/privacy/export/"' in html
    assert f'href="/patients/{patient_a.public_id}/privacy/erase/"' in html
    assert "Download all their data" in html


def test_an_archived_patient_offers_them_too(admin_a, patient_a):
    from apps.patients.archive_services import patient_archive

    patient_archive(actor=admin_a, patient=patient_a)

    html = signed_in(admin_a).get(f"/patients/{patient_a.public_id}/").content.decode()

    assert f'href="/patients/{patient_a.public_id}/privacy/erase/"' in html


def test_a_therapist_is_not_offered_them(therapist_a, patient_a):
    html = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").content.decode()

    assert "/privacy/" not in html
