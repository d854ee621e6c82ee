import pytest

from apps.clinics.models import Clinic
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

VALID = {
    "time_zone": "Europe/Paris",
    "pain_progression_limit": 4,
    "pain_alert_level": 6,
    "phone": "+44 20 7946 0000",
    "default_reminder_time": "19:30",
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:00",
    "band_moderate_from": 25,
    "band_high_from": 45,
    "band_very_high_from": 65,
}


def test_a_clinic_admin_changes_the_clinic_defaults(admin_a, clinic_a):
    response = signed_in(admin_a).post("/clinic/settings/", VALID)

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.pain_alert_level, clinic.pain_progression_limit) == (6, 4)
    assert str(clinic.default_reminder_time) == "19:30:00"
    assert clinic.band_high_from == 45
    assert clinic.phone == "+44 20 7946 0000"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pain_alert_level": 11}, b"10"),
        ({"band_high_from": 20}, b"band"),
        ({"time_zone": "Mars/Base"}, b"time zone"),
        ({"phone": "call us"}, b"phone number"),
    ],
)
def test_bad_settings_get_a_400_and_change_nothing(admin_a, clinic_a, change, message):
    response = signed_in(admin_a).post("/clinic/settings/", VALID | change)

    assert response.status_code == 400
    assert message in response.content.lower()
    assert Clinic.objects.get(pk=clinic_a.pk).pain_alert_level == 7


def test_therapists_and_patients_cannot_open_clinic_settings(therapist_a, patient_a):
    assert signed_in(therapist_a).get("/clinic/settings/").status_code == 403
    assert signed_in(patient_a.user).get("/clinic/settings/").status_code == 403
