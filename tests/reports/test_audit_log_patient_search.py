"""The audit log's patient filter is a search, so the page does not grow with the clinic."""

import pytest

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from tests.conftest import signed_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def shown(response):
    return [entry.sequence for entry in response.context["page"]]


@pytest.fixture
def two_patients_logged(admin_a, therapist_a, patient_a):
    carla = PatientFactory(therapist=therapist_a, full_name="Carla Annsley", email="c@x.example")
    audit_record(actor=admin_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    audit_record(actor=admin_a, action=Action.VIEW, patient=carla, target=carla)
    return carla


def test_a_search_matching_one_patient_filters_by_them(admin_a, two_patients_logged):
    response = signed_in(admin_a).get("/audit/", {"patient_search": "carla"})

    assert response.status_code == 200
    assert shown(response) == [2]
    assert response.context["form"].chosen_patient == two_patients_logged


def test_a_search_can_match_an_email_address(admin_a, two_patients_logged):
    assert shown(signed_in(admin_a).get("/audit/", {"patient_search": "C@X.EXAMPLE"})) == [2]


def test_a_search_matching_several_lists_them_to_choose_from(
    admin_a, patient_a, two_patients_logged
):
    response = signed_in(admin_a).get("/audit/", {"patient_search": "ann", "action": "view"})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["patient_search"] == [
        "2 patients match “ann”: choose one below or type more of the name."
    ]
    assert form.patient_matches == [patient_a, two_patients_logged]
    # Each choice keeps the other filters and names the patient by reference.
    assert f'href="?action=view&amp;patient={patient_a.public_id}"'.encode() in response.content


def test_a_choice_from_the_list_filters_by_that_patient(admin_a, patient_a, two_patients_logged):
    response = signed_in(admin_a).get("/audit/", {"action": "view", "patient": patient_a.public_id})

    assert shown(response) == [1]
    assert b"<strong>Patient:</strong> Ann A" in response.content
    assert b'href="?action=view">any patient</a>' in response.content


def test_a_search_matching_nobody_says_so(admin_a, two_patients_logged):
    response = signed_in(admin_a).get("/audit/", {"patient_search": "zed"})

    assert response.status_code == 400
    assert response.context["form"].errors["patient_search"] == [
        "No patient of your clinic matches “zed”."
    ]


def test_a_search_never_finds_another_clinics_patient(admin_a, patient_b, two_patients_logged):
    response = signed_in(admin_a).get("/audit/", {"patient_search": patient_b.full_name})

    assert response.status_code == 400
    assert response.context["form"].errors["patient_search"] == [
        "No patient of your clinic matches “Ben B”."
    ]
    assert response.context["form"].chosen_patient is None


def test_the_filtered_export_is_audited_against_the_patient(admin_a, two_patients_logged):
    response = signed_in(admin_a).get("/audit/export.csv", {"patient_search": "carla"})
    rows = b"".join(response.streaming_content).decode().splitlines()

    export = AuditEntry.objects.filter(action=Action.EXPORT).get()
    assert len(rows) == 3  # the header, the export itself and the view of Carla
    assert export.patient_ref == str(two_patients_logged.public_id)


def test_the_page_does_not_list_every_patient(
    admin_a, therapist_a, patient_a, django_assert_max_num_queries
):
    for number in range(40):
        PatientFactory(therapist=therapist_a, full_name=f"Listed Nobody {number}")
    client = signed_in(admin_a)

    with django_assert_max_num_queries(12):
        response = client.get("/audit/")

    assert b"Listed Nobody" not in response.content


def test_the_patient_page_links_an_admin_to_the_patients_audit_log(admin_a, therapist_a, patient_a):
    link = f'href="/audit/?patient={patient_a.public_id}"'.encode()

    assert link in signed_in(admin_a).get(f"/patients/{patient_a.public_id}/").content
    assert link not in signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").content
