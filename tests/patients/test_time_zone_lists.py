"""The time zone lists (Add a patient, the patient's Reminders page) offer each place once,
under its current name; an old or duplicate name already stored keeps working, and one newly
sent through the API is stored under the current name it stands for."""

from __future__ import annotations

import re

import pytest

from apps.patients.forms import time_zone_choices, time_zone_groups
from apps.patients.models import Patient
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

OLD_NAMES = {
    "Africa/Asmera": "Africa/Nairobi",
    "America/Godthab": "America/Nuuk",
    "America/Knox_IN": "America/Indiana/Knox",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "Asia/Calcutta": "Asia/Kolkata",
    "Africa/Timbuktu": "Africa/Abidjan",
    "US/Eastern": "America/New_York",
}
CURRENT = ["UTC", "Europe/London", "Africa/Asmara", "America/Nuuk", "America/Indiana/Knox",
           "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Europe/Kyiv"]  # fmt: skip


def _options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', html)


def test_the_lists_offer_current_names_only_each_place_once():
    offered = [zone for zone, _ in time_zone_choices()]
    grouped = [
        (region, [label for _, label in places]) for region, places in time_zone_groups()[1:]
    ]

    assert not set(OLD_NAMES) & set(offered)
    assert "Etc/GMT+5" not in offered
    assert set(CURRENT) <= set(offered)
    assert len(offered) == len(set(offered))
    for region, labels in grouped:
        assert len(labels) == len(set(labels)), region  # no "Buenos Aires" twice


def test_add_a_patient_and_the_reminders_page_offer_no_old_names(therapist_a, patient_a):
    add = _options(signed_in(therapist_a).get("/patients/new/").text)
    reminders = _options(signed_in(patient_a.user).get("/reminders/").text)

    for page in (add, reminders):
        assert "Asia/Kolkata" in page
        assert not set(OLD_NAMES) & set(page)


def test_an_old_name_already_stored_stays_chosen_and_kept_when_staff_edit(therapist_a, patient_a):
    Patient.objects.filter(pk=patient_a.pk).update(time_zone="Asia/Calcutta")
    client = signed_in(therapist_a)
    url = f"/patients/{patient_a.public_id}/edit/"

    page = client.get(url).text
    form = dict(re.findall(r'name="(initial-[a-z_]+)" value="([^"]*)"', page))
    response = client.post(url, {
        **{name.removeprefix("initial-"): value for name, value in form.items()}, **form,
        "full_name": "Ann Renamed", "reminder_channel": "email", "reminders_enabled": "on",
    })  # fmt: skip

    assert '<option value="Asia/Calcutta" selected>' in page
    assert response.status_code == 302
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.full_name, patient.time_zone) == ("Ann Renamed", "Asia/Calcutta")


@pytest.mark.parametrize(("sent", "stored"), list(OLD_NAMES.items()))
def test_an_old_name_sent_to_the_api_is_stored_under_its_current_name(
    therapist_a, patient_a, sent, stored
):
    new = {
        "full_name": "Lee Park",
        "year_of_birth": 1980,
        "time_zone": sent,
        "email": "l@p.example",
    }

    created = signed_in(therapist_a).post("/api/v1/patients/create/", new, "application/json")
    moved = signed_in(patient_a.user).patch(
        "/api/v1/me/reminders/", {"time_zone": sent}, "application/json"
    )

    assert created.status_code == 201
    assert Patient.objects.get(public_id=created.json()["id"]).time_zone == stored
    assert moved.status_code == 200
    assert moved.json()["time_zone"] == stored


def test_a_zone_that_names_no_place_is_refused_with_a_message(therapist_a, patient_a):
    new = {"full_name": "Lee Park", "year_of_birth": 1980, "time_zone": "Etc/GMT+5"}

    created = signed_in(therapist_a).post("/api/v1/patients/create/", new, "application/json")
    moved = signed_in(patient_a.user).patch(
        "/api/v1/me/reminders/", {"time_zone": "Etc/GMT+5"}, "application/json"
    )

    message = "'Etc/GMT+5' is not a place's time zone: give one such as Europe/London."
    assert created.status_code == 400
    assert created.json()["errors"]["time_zone"] == [message]
    assert moved.status_code == 400
    assert moved.json()["errors"]["time_zone"] == [message]
    assert Patient.objects.get(pk=patient_a.pk).time_zone == "Europe/London"


def test_a_clinic_with_an_old_name_starts_new_patients_on_its_current_name(
    therapist_a, admin_a, clinic_a
):
    clinic_a.time_zone = "US/Eastern"
    clinic_a.save(update_fields=["time_zone"])

    add = signed_in(therapist_a).get("/patients/new/").text
    suggested = signed_in(admin_a).get("/clinic/settings/").text

    assert '<option value="America/New_York" selected>' in add
    assert "US/Eastern" not in _options(add)
    assert '<option value="America/New_York">' in suggested
    assert '<option value="US/Eastern">' not in suggested
