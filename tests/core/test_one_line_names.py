"""Names people type are one line: a line break, tab or other control character (pasted in
by mistake) is refused where the name comes in, with a message, and nothing is saved. A name
with a line break used to be accepted by the patient API and then stopped every email that
named the patient in its subject (Django refuses such a header)."""

import pytest
from django.core.exceptions import ValidationError

from apps.clinics.invitations import staff_invite
from apps.clinics.models import Clinic, Role, User
from apps.core.text import ONE_LINE_MESSAGE, is_one_line
from apps.exercises.ladder_services import ladder_create
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.clinics.test_operator_admin_checks import clinic_admin_form
from tests.conftest import signed_in
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

BROKEN = ["Ann\nLee", "Ann\r\nLee", "Ann\tLee", "Ann\u2028Lee", "Ann\x00Lee"]


@pytest.mark.parametrize("name", BROKEN)
def test_control_characters_and_line_separators_are_not_one_line(name):
    assert not is_one_line(name)


@pytest.mark.parametrize(
    "name",
    ["Ann Lee", "Zoë O'Brien-Łukasz", "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627", "李小龍"],
)
def test_names_of_any_script_are_one_line(name):
    assert is_one_line(name)  # the zero-width non-joiner (Persian) is part of some names


# (DRF refuses a NUL itself, with its own message.)
@pytest.mark.parametrize("name", [name for name in BROKEN if "\x00" not in name])
def test_the_patient_api_refuses_a_name_on_two_lines(therapist_a, name):
    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/",
        {"full_name": name, "year_of_birth": 1980, "reminders_enabled": False},
        "application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"full_name": [ONE_LINE_MESSAGE]}
    assert not Patient.objects.exists()


def test_renaming_a_patient_onto_two_lines_is_refused(therapist_a, patient_a):
    response = signed_in(therapist_a).patch(
        f"/api/v1/patients/{patient_a.public_id}/update/",
        {"full_name": "Ann\nLee"},
        "application/json",
    )

    assert response.status_code == 400
    assert Patient.objects.get(pk=patient_a.pk).full_name == patient_a.full_name


def test_a_program_name_on_two_lines_is_refused(therapist_a):
    body = {"name": "Hip\nplan", "items": [{"exercise": str(ExerciseFactory().public_id)}]}

    response = signed_in(therapist_a).post(
        "/api/v1/programs/create/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [ONE_LINE_MESSAGE]
    assert not Program.objects.exists()


def test_a_ladder_name_on_two_lines_is_refused(therapist_a):
    with pytest.raises(ValidationError) as refused:
        ladder_create(user=therapist_a, name="Clams\nours", exercises=[ExerciseFactory()])

    assert refused.value.message_dict["name"] == [ONE_LINE_MESSAGE]


def test_a_staff_name_on_two_lines_is_refused(admin_a):
    with pytest.raises(ValidationError) as refused:
        staff_invite(
            admin=admin_a, email="r@x.example", full_name="Robin\nLane", role=Role.THERAPIST
        )

    assert refused.value.message_dict["full_name"] == [ONE_LINE_MESSAGE]
    assert not User.objects.filter(email="r@x.example").exists()


@pytest.mark.parametrize("name", [name for name in BROKEN if "\x00" not in name])
def test_an_operator_cannot_name_a_clinic_on_two_lines(clinic_a, name):
    # The clinic's name is in the subject of every staff invitation and patient link email.
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"

    response = signed_in(operator).post(page, clinic_admin_form(clinic_a, name=name))

    assert response.status_code == 200  # the form again, not a redirect
    assert ONE_LINE_MESSAGE in response.content.decode()
    assert Clinic.objects.get(pk=clinic_a.pk).name == "Clinic A"


def test_an_operator_can_rename_a_clinic_on_one_line(clinic_a):
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"

    response = signed_in(operator).post(page, clinic_admin_form(clinic_a, name="Zoë's Hip Clinic"))

    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic_a.pk).name == "Zoë's Hip Clinic"
