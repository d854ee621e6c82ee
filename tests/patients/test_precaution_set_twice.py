"""Setting hip precautions twice with the same one-time key (a double click on Save, a
retried API call) sets them once: one row, one audit entry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.patients.models import HipPrecaution
from tests.conftest import signed_in
from tests.once import assert_reused, form_key

pytestmark = pytest.mark.django_db


def test_the_precautions_form_sent_twice_sets_them_once(patient_a, therapist_a):
    client = signed_in(therapist_a)
    url = f"/patients/{patient_a.public_id}/"
    page = client.get(url).content.decode()
    today = patient_a.local_today()
    form = {
        "change": "set-precautions",
        "precaution-kind": "posterior", "precaution-starts_on": str(today),
        "precaution-ends_on": str(today + timedelta(days=42)),
        "precaution-client_id": form_key(page, marked='value="set-precautions"'),
    }  # fmt: skip

    answers = [client.post(url, form) for _ in range(2)]

    precaution = HipPrecaution.objects.get(patient=patient_a)
    assert {a["Location"] for a in answers} == {f"/patients/{patient_a.public_id}/"}
    set_entries = AuditEntry.objects.filter(target_ref=str(precaution.public_id))
    assert set_entries.count() == 1


def test_precautions_set_by_the_api_retried_with_the_client_id_are_a_200(patient_a, therapist_a):
    today = patient_a.local_today()
    body = {
        "kind": "anterior", "starts_on": str(today), "ends_on": str(today + timedelta(days=42)),
        "client_id": str(uuid.uuid4()),
    }  # fmt: skip
    url = f"/api/v1/patients/{patient_a.public_id}/precautions/create/"
    client = signed_in(therapist_a)

    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert HipPrecaution.objects.filter(patient=patient_a).count() == 1


def test_the_edit_form_carries_no_key(patient_a, therapist_a):
    client = signed_in(therapist_a)
    client.post(
        f"/api/v1/patients/{patient_a.public_id}/precautions/create/",
        {
            "kind": "anterior",
            "starts_on": str(patient_a.local_today()),
            "ends_on": str(patient_a.local_today() + timedelta(days=42)),
        },
        content_type="application/json",
    )
    precaution = HipPrecaution.objects.get()

    page = client.get(f"/patients/{patient_a.public_id}/precautions/{precaution.public_id}/edit/")

    assert page.status_code == 200
    assert "client_id" not in page.content.decode()


def test_a_client_id_sent_again_with_other_precautions_is_a_409_naming_them(patient_a, therapist_a):
    today = patient_a.local_today()
    body = {
        "kind": "anterior", "starts_on": str(today), "ends_on": str(today + timedelta(days=42)),
        "client_id": str(uuid.uuid4()),
    }  # fmt: skip
    url = f"/api/v1/patients/{patient_a.public_id}/precautions/create/"
    client = signed_in(therapist_a)
    client.post(url, body, content_type="application/json")

    ends_later = str(today + timedelta(days=84))
    again = client.post(
        url, body | {"kind": "posterior", "ends_on": ends_later}, content_type="application/json"
    )

    assert_reused(again, "kind", "ends_on")
    stored = HipPrecaution.objects.get(patient=patient_a)
    assert (stored.kind, stored.ends_on) == ("anterior", today + timedelta(days=42))
