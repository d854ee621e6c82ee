"""An archived (discharged) patient's pages and operations keep the isolation matrix's
answers: the "archived: restore them first" refusal (400) only ever comes after the access
check, so it never tells another clinic (or a colleague who may not change the patient) that
the patient exists or is archived. And the restore's body names its therapist within the
caller's clinic only: another clinic's is the same 400 as an id that names nobody."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from apps.patients.archive_services import patient_archive
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import StaffFactory
from tests.security.matrix import PAGE_ROLES, Role, client_for

pytestmark = pytest.mark.django_db

# (method, path under /patients/<id>/ or /api/v1/patients/<id>/, the change posted to the
# patient page, API?)
ACTIONS = [
    ("post", "", "renew-link", False),
    ("post", "", "email-link", False),
    ("post", "link/revoke/", "", False),
    ("get", "handout.pdf", "", False),
    ("post", "", "restore", False),
    ("post", "restore/", "", True),
]


@pytest.fixture
def archived_world(world):
    for side in (world.a, world.b):
        patient_archive(patient=side.patient, actor=side.admin)
    return world


def _request(client: Client, method: str, patient: Patient, path: str, change: str, api: bool):
    prefix = "/api/v1/patients" if api else "/patients"
    url = f"{prefix}/{patient.public_id}/{path}"
    if method == "get":
        return client.get(url)
    if api:
        return client.post(url, {}, content_type="application/json")
    return client.post(url, {"change": change} if change else {})


def _expected(role: Role, api: bool) -> int:
    if role.kind == "anonymous":
        return 401 if api else 302
    if role.kind == "patient":
        return 403
    return 404  # staff of clinic A, asking for clinic B's patient


@pytest.mark.parametrize(("method", "path", "change", "api"), ACTIONS)
def test_another_clinics_archived_patient_is_a_404_never_the_archived_400(
    archived_world, method, path, change, api
):
    b_patient = archived_world.b.patient
    for role in PAGE_ROLES:
        if role.side == "b":
            continue
        client = client_for(role, archived_world)
        response = _request(client, method, b_patient, path, change, api)
        assert response.status_code == _expected(role, api), role.name
        assert b_patient.full_name not in response.content.decode(errors="replace")
    assert Patient.objects.get(pk=b_patient.pk).archived_at is not None


@pytest.mark.parametrize(("method", "path", "change", "api"), ACTIONS)
def test_a_colleagues_archived_patient_is_a_404_for_a_therapist(
    archived_world, method, path, change, api
):
    colleague = StaffFactory(clinic=archived_world.a.clinic)
    patient = archived_world.a.patient

    response = _request(signed_in(colleague), method, patient, path, change, api)

    assert response.status_code == 404


def test_the_restore_body_never_reaches_another_clinics_staff(archived_world):
    a, b = archived_world.a, archived_world.b
    client = signed_in(a.admin)
    url = f"/api/v1/patients/{a.patient.public_id}/restore/"

    answers = [
        client.post(url, {"therapist": str(public_id)}, content_type="application/json")
        for public_id in (b.therapist.public_id, b.admin.public_id, uuid.uuid4())
    ]

    assert {r.status_code for r in answers} == {400}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    for response in answers:
        for value in [*b.strings(), b.therapist.full_name, b.admin.full_name]:
            assert value not in response.content.decode()
    patient = Patient.objects.get(pk=a.patient.pk)
    assert (patient.archived_at is not None, patient.therapist_id) == (True, a.therapist.pk)


def test_the_restore_page_offers_and_takes_only_the_callers_clinics_staff(archived_world):
    a, b = archived_world.a, archived_world.b
    type(a.therapist).objects.filter(pk=a.therapist.pk).update(is_active=False)
    client = signed_in(a.admin)

    page = client.get(f"/patients/{a.patient.public_id}/").content.decode()
    refused = client.post(
        f"/patients/{a.patient.public_id}/",
        {"change": "restore", "therapist": b.therapist.public_id},
    )

    assert 'name="therapist"' in page
    for value in [str(b.therapist.public_id), str(b.admin.public_id), b.therapist.full_name]:
        assert value not in page
        assert value not in refused.content.decode()
    assert refused.status_code == 400
    assert Patient.objects.get(pk=a.patient.pk).archived_at is not None
