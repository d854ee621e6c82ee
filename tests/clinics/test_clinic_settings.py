import pytest

from apps.audit.models import AuditEntry
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
    "reminder_grace_minutes": 90,
    "band_moderate_from": 25,
    "band_high_from": 45,
    "band_very_high_from": 65,
}


def test_a_new_clinic_holds_back_a_progression_above_pain_5_and_alerts_at_7():
    """CLINICAL.md (safety): by default pain above 5 (the pain-monitoring model's acceptable
    limit) holds back a progression prompt and pain of 7 or more alerts the therapist the same
    day; a clinic may change both."""
    clinic = Clinic.objects.create(name="New clinic")
    clinic.refresh_from_db()

    assert (clinic.pain_progression_limit, clinic.pain_alert_level) == (5, 7)


def test_a_clinic_admin_changes_the_clinic_defaults(admin_a, clinic_a):
    response = signed_in(admin_a).post("/clinic/settings/", VALID)

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.pain_alert_level, clinic.pain_progression_limit) == (6, 4)
    assert str(clinic.default_reminder_time) == "19:30:00"
    assert clinic.band_high_from == 45
    assert clinic.phone == "+44 20 7946 0000"
    assert clinic.reminder_grace_minutes == 90


def test_a_changed_grace_period_is_audited_with_its_old_and_new_value(admin_a, clinic_a):
    page = signed_in(admin_a).get("/clinic/settings/")
    assert b'name="reminder_grace_minutes" value="120"' in page.content

    client = signed_in(admin_a)
    client.post("/clinic/settings/", VALID)
    client.post("/clinic/settings/", VALID | {"reminder_grace_minutes": 45})

    first, second = AuditEntry.objects.filter(target_type="clinics.Clinic").order_by("sequence")
    assert "default reminder time 18:00 → 19:30" in first.detail
    assert second.detail == "reminder grace minutes 90 → 45"
    assert (second.action, second.actor, second.clinic) == ("change", admin_a, clinic_a)
    assert second.target_ref == str(clinic_a.public_id)


def test_saving_unchanged_settings_writes_no_audit_entry(admin_a, clinic_a):
    client = signed_in(admin_a)
    client.post("/clinic/settings/", VALID)
    client.post("/clinic/settings/", VALID)

    assert AuditEntry.objects.filter(target_type="clinics.Clinic").count() == 1


@pytest.mark.parametrize("minutes", ["14", "721", "-5", "two hours", ""])
def test_a_grace_period_out_of_range_is_refused_in_words(admin_a, clinic_a, minutes):
    response = signed_in(admin_a).post(
        "/clinic/settings/", VALID | {"reminder_grace_minutes": minutes}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert any(
        words in text
        for words in (
            "Choose a grace period from 15 to 720 minutes (12 hours).",
            "Enter a whole number of minutes.",
            "Enter the grace period in minutes.",
        )
    )
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.reminder_grace_minutes, clinic.pain_alert_level) == (120, 7)
    assert not AuditEntry.objects.filter(target_type="clinics.Clinic").exists()


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


def test_widening_the_quiet_hours_says_that_times_inside_them_are_not_sent(admin_a, clinic_a):
    """21:00-08:00 by default; 22:00-07:00 narrows them, 20:00-08:00 widens them."""
    client = signed_in(admin_a)
    narrowed = client.post("/clinic/settings/", VALID, follow=True).text
    widened = client.post(
        "/clinic/settings/", VALID | {"quiet_hours_start": "20:00", "quiet_hours_end": "08:00"},
        follow=True,
    ).text  # fmt: skip

    assert "Clinic settings saved." in narrowed
    assert "inside the new quiet hours" not in narrowed
    assert "reminder time inside the new quiet hours is not sent" in widened


@pytest.mark.parametrize(
    ("before", "after", "widened"),
    [
        ((21, 8), (20, 8), True),
        ((21, 8), (22, 7), False),
        ((21, 8), (21, 8), False),
        ((0, 0), (23, 0), True),  # none before
        ((21, 8), (0, 0), False),  # none after
        ((21, 8), (7, 9), True),  # a daytime spell: 08:00-09:00 was not quiet
    ],
)
def test_quiet_hours_widened_minute_by_minute(before, after, widened):
    from datetime import time

    from apps.clinics.models import quiet_hours_widened

    as_times = [(time(a), time(b)) for a, b in (before, after)]
    assert quiet_hours_widened(*as_times) is widened
