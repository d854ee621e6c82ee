"""The patient's own reminder choice (``patient_reminders_choose``): on or off and a time,
refused inside quiet hours or with no address to send to, audited once per real change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.patients.models import Patient, ReminderChannel
from apps.patients.reminder_choice import patient_reminders_choose
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def stored(patient: Patient) -> tuple[bool, dt.time | None]:
    row = Patient.objects.get(pk=patient.pk)
    return row.reminders_enabled, row.reminder_time


def test_the_patient_chooses_a_time_and_the_change_is_audited_under_them(patient_a):
    changed = patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 30)
    )

    assert changed
    assert stored(patient_a) == (True, dt.time(8, 30))
    entry = AuditEntry.objects.get(patient=patient_a)
    assert entry.actor == patient_a.user
    assert entry.action == "change"
    assert entry.detail == "reminders on at 08:30, chosen by the patient"


def test_the_same_choice_again_changes_and_records_nothing(patient_a):
    for _ in range(2):  # a double tap, or the form sent again
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 30)
        )

    again = patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 30)
    )

    assert not again
    assert AuditEntry.objects.filter(patient=patient_a).count() == 1


def test_turning_reminders_off_and_back_to_the_usual_time(patient_a):
    patient_reminders_choose(patient=patient_a, reminders_enabled=True, reminder_time=dt.time(9))
    patient_reminders_choose(patient=patient_a, reminders_enabled=False, reminder_time=None)
    assert stored(patient_a) == (False, None)
    patient_reminders_choose(patient=patient_a, reminders_enabled=True, reminder_time=None)

    assert stored(patient_a) == (True, None)
    details = list(
        AuditEntry.objects.filter(patient=patient_a)
        .order_by("sequence")
        .values_list("detail", flat=True)
    )
    assert details == [
        "reminders on at 09:00, chosen by the patient",
        "reminders off, chosen by the patient",
        "reminders on at the usual time, chosen by the patient",
    ]


def test_a_time_inside_quiet_hours_is_refused_and_nothing_is_saved(patient_a):
    with pytest.raises(ValidationError) as refused:
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=dt.time(22, 30)
        )

    assert (
        "inside the clinic's quiet hours (21:00 to 08:00)"
        in refused.value.message_dict["reminder_time"][0]
    )
    assert stored(patient_a) == (True, None)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("channel", "blank", "said"),
    [
        (ReminderChannel.EMAIL, {"email": ""}, "no email address"),
        (ReminderChannel.SMS, {"phone": ""}, "no phone number"),
    ],
)
def test_reminders_cannot_be_turned_on_without_an_address_to_send_to(
    therapist_a, channel, blank, said
):
    details = {"phone": "+44 20 7946 0000"} | blank
    patient = PatientFactory(
        therapist=therapist_a, reminder_channel=channel, reminders_enabled=False, **details
    )

    with pytest.raises(ValidationError) as refused:
        patient_reminders_choose(patient=patient, reminders_enabled=True, reminder_time=None)

    assert said in refused.value.message_dict["reminders_enabled"][0]
    assert stored(patient) == (False, None)
    # Turning them off needs no address.
    patient_reminders_choose(patient=patient, reminders_enabled=False, reminder_time=dt.time(9))
    assert stored(patient) == (False, dt.time(9))


def test_an_archived_patient_cannot_change_anything(patient_a):
    patient_a.archived_at = timezone.now()
    patient_a.save(update_fields=["archived_at"])

    with pytest.raises(ValidationError):
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=dt.time(9)
        )


# --- The patient's time zone (travelling, moving) -------------------------------------------


def zone(patient: Patient) -> str:
    return Patient.objects.get(pk=patient.pk).time_zone


def test_the_patient_changes_their_time_zone_and_the_change_is_audited_under_them(patient_a):
    changed = patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=None, time_zone="Asia/Tokyo"
    )

    assert changed
    assert zone(patient_a) == "Asia/Tokyo"
    assert patient_a.time_zone == "Asia/Tokyo"
    entry = AuditEntry.objects.get(patient=patient_a)
    assert (entry.actor, entry.action) == (patient_a.user, "change")
    assert entry.detail == "time zone Europe/London → Asia/Tokyo, chosen by the patient"


def test_the_same_zone_again_changes_and_records_nothing(patient_a):
    for _ in range(2):  # the suggestion tapped twice
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=None, time_zone="Asia/Tokyo"
        )

    assert AuditEntry.objects.filter(patient=patient_a).count() == 1
    assert not patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=None, time_zone="Asia/Tokyo"
    )


def test_no_zone_given_keeps_the_zone(patient_a):
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=None, time_zone="Asia/Tokyo"
    )

    patient_reminders_choose(patient=patient_a, reminders_enabled=True, reminder_time=dt.time(9))

    assert zone(patient_a) == "Asia/Tokyo"


def test_a_new_time_and_a_new_zone_at_once_are_two_entries_of_one_save(patient_a):
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 45),
        time_zone="America/New_York",
    )  # fmt: skip

    assert stored(patient_a) == (True, dt.time(8, 45))
    assert zone(patient_a) == "America/New_York"
    details = set(AuditEntry.objects.filter(patient=patient_a).values_list("detail", flat=True))
    assert details == {
        "reminders on at 08:45, chosen by the patient",
        "time zone Europe/London → America/New_York, chosen by the patient",
    }


# "localtime" and "Factory" open as zones but are no place: the first follows the server.
@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "../../etc/passwd", "Tokyo", "localtime", "posixrules", "Factory"]
)
def test_an_unknown_zone_is_refused_and_nothing_is_saved(patient_a, name):
    with pytest.raises(ValidationError) as refused:
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=dt.time(9), time_zone=name
        )

    assert refused.value.message_dict["time_zone"] == [f"{name!r} is not a known time zone."]
    assert zone(patient_a) == "Europe/London"
    assert stored(patient_a) == (True, None)  # the valid time was not saved either
    assert not AuditEntry.objects.exists()


def test_a_bad_time_and_a_bad_zone_are_both_named(patient_a):
    with pytest.raises(ValidationError) as refused:
        patient_reminders_choose(
            patient=patient_a, reminders_enabled=True, reminder_time=dt.time(23),
            time_zone="Mars/Olympus",
        )  # fmt: skip

    assert set(refused.value.message_dict) == {"reminder_time", "time_zone"}


def test_a_time_outside_quiet_hours_stays_allowed_in_any_zone(patient_a):
    """Quiet hours are the patient's local hours, like the reminder time: moving to Tokyo
    with 08:30 (23:30 at the clinic in London) is still a time that is sent."""
    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 30)
    )

    patient_reminders_choose(
        patient=patient_a, reminders_enabled=True, reminder_time=dt.time(8, 30),
        time_zone="Asia/Tokyo",
    )  # fmt: skip

    assert (zone(patient_a), stored(patient_a)) == ("Asia/Tokyo", (True, dt.time(8, 30)))
