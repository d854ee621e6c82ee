"""The patient's reminders page: what reminds them and when, and their own choice saved with
a clear message, or refused with a 400 that says why and saves nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from apps.patients.precautions import precaution_set
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

URL = "/reminders/"


def test_the_page_shows_the_current_choice_and_where_reminders_go(patient_a):
    page = signed_in(patient_a.user).get(URL)

    assert page.status_code == 200
    text = page.text
    assert "<h1>Reminders and time zone</h1>" in text
    assert f"by email to <strong>{patient_a.email}</strong>" in text
    assert 'type="checkbox" name="reminders_enabled" id="id_reminders_enabled" checked' in text
    assert "Leave it empty for your clinic&#x27;s usual time, 18:00." in text
    assert "No reminder is sent between 21:00 and 08:00." in text
    assert 'aria-current="page">Reminders</a>' in text


def test_a_program_with_its_own_time_is_named_as_the_usual_time(patient_a):
    ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                   weekdays=0b0010101)  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert "the time your therapist set: 09:30 on the days of your program" in text
    assert "\u201cMornings\u201d (Monday, Wednesday, Friday); on other days 18:00." in text


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_a_program_whose_every_exercise_is_held_back_gives_no_time(patient_a, therapist_a):
    """Its days remind of nothing (Today shows nothing of it): the time named is the other
    program's, as the reminders sent follow it."""
    held = ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                          start_date=dt.date(2026, 3, 1))  # fmt: skip
    ExerciseItemFactory(program=held, exercise=ExerciseFactory(hip_movements=["internal_rotation"]))
    other = ProgramFactory(patient=patient_a, name="Evenings", reminder_time=dt.time(17, 0),
                           start_date=dt.date(2026, 3, 1))  # fmt: skip
    ExerciseItemFactory(program=other)
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 12),
    )  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert "17:00 on the days of your program \u201cEvenings\u201d" in text
    assert "09:30" not in text
    assert "Mornings" not in text


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_a_program_held_back_today_only_still_gives_its_time(patient_a, therapist_a):
    """The precautions end tomorrow: today's exercise is held back, from tomorrow it is not,
    so the program's time reminds again and the page names it."""
    program = ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                             start_date=dt.date(2026, 3, 1))  # fmt: skip
    inward = ExerciseFactory(hip_movements=["internal_rotation"])
    ExerciseItemFactory(program=program, exercise=inward)
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 11),
    )  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert (
        "09:30 on the days of your program \u201cMornings\u201d (every day) "
        "from Wednesday 11 March, when its exercises come off hold; on other days 18:00."
    ) in text


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_a_program_held_back_on_its_next_days_says_from_which_day_it_reminds_again(
    patient_a, therapist_a
):
    """On Mondays, Wednesdays and Fridays; the precautions end on Saturday 14 March: this
    Wednesday and Friday are held back, so its time reminds again from Monday 16 March."""
    program = ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                             start_date=dt.date(2026, 3, 1), weekdays=0b0010101)  # fmt: skip
    ExerciseItemFactory(
        program=program, exercise=ExerciseFactory(hip_movements=["internal_rotation"])
    )
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 14),
    )  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert (
        "\u201cMornings\u201d (Monday, Wednesday, Friday) from Monday 16 March, when its "
        "exercises come off hold;"
    ) in text


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_a_program_held_back_later_in_the_week_only_names_no_day(patient_a, therapist_a):
    """Today it has something to do: its time reminds from today, as the page already says."""
    program = ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                             start_date=dt.date(2026, 3, 1))  # fmt: skip
    ExerciseItemFactory(
        program=program, exercise=ExerciseFactory(hip_movements=["internal_rotation"])
    )
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 12), ends_on=dt.date(2026, 4, 12),
    )  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert "\u201cMornings\u201d (every day); on other days 18:00." in text


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_the_day_reminders_resume_follows_the_patients_own_time_zone(patient_a, therapist_a):
    """At 12:00 UTC on Tuesday 10 March it is already 01:00 on Wednesday 11 March in Auckland:
    precautions that end on the 11th hold nothing back of the Auckland patient's days left,
    while the London patient's today is still held back."""
    auckland = PatientFactory(therapist=therapist_a, time_zone="Pacific/Auckland")
    for patient in (patient_a, auckland):
        program = ProgramFactory(patient=patient, name="Mornings", reminder_time=dt.time(9, 30),
                                 start_date=dt.date(2026, 3, 1))  # fmt: skip
        ExerciseItemFactory(
            program=program, exercise=ExerciseFactory(hip_movements=["internal_rotation"])
        )
        precaution_set(
            actor=therapist_a, patient=patient, kind="posterior",
            starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 11),
        )  # fmt: skip

    london = signed_in(patient_a.user).get(URL).text
    far_east = signed_in(auckland.user).get(URL).text

    assert "(every day) from Wednesday 11 March," in london
    assert "\u201cMornings\u201d (every day); on other days 18:00." in far_east


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_a_ladder_held_back_until_its_next_level_starts_tomorrow_gives_its_time(
    patient_a, therapist_a
):
    """Today's level conflicts with the precautions, tomorrow's (the level change is
    effective then) does not: tomorrow the program has something to do."""
    program = ProgramFactory(patient=patient_a, name="Mornings", reminder_time=dt.time(9, 30),
                             start_date=dt.date(2026, 3, 1))  # fmt: skip
    item = LadderItemFactory(program=program, current_level=2, previous_level=1,
                             level_since=dt.date(2026, 3, 11))  # fmt: skip
    today = item.ladder.levels.get(level=1).exercise
    today.hip_movements = ["internal_rotation"]
    today.save(update_fields=["hip_movements"])
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 12),
    )  # fmt: skip

    text = signed_in(patient_a.user).get(URL).text

    assert "\u201cMornings\u201d (every day) from Wednesday 11 March," in text


def test_a_time_the_quiet_hours_now_cover_is_pointed_out(patient_a):
    patient_a.reminder_time = dt.time(20, 30)
    patient_a.save(update_fields=["reminder_time"])
    before = signed_in(patient_a.user).get(URL).text
    patient_a.clinic.quiet_hours_start = dt.time(20, 0)
    patient_a.clinic.save(update_fields=["quiet_hours_start"])

    after = signed_in(patient_a.user).get(URL).text

    assert "No reminder is being sent" not in before
    assert "No reminder is being sent:</strong> 20:30 is now inside" in after


def test_saving_a_time_redirects_with_what_was_saved(patient_a):
    client = signed_in(patient_a.user)

    response = client.post(URL, {"reminders_enabled": "on", "reminder_time": "08:30"})

    assert response.status_code == 302
    assert response.url == URL
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.reminders_enabled, patient.reminder_time) == (True, dt.time(8, 30))
    after = client.get(URL).text
    assert "Saved. Reminders come at 08:30 on your exercise days." in after
    assert 'value="08:30"' in after


def test_unticking_turns_reminders_off(patient_a):
    response = signed_in(patient_a.user).post(URL, {"reminder_time": ""})

    assert response.status_code == 302
    assert not Patient.objects.get(pk=patient_a.pk).reminders_enabled


@pytest.mark.parametrize(
    ("posted", "said"),
    [
        (
            {"reminders_enabled": "on", "reminder_time": "23:00"},
            "inside the clinic&#x27;s quiet hours",
        ),
        ({"reminders_enabled": "on", "reminder_time": "7 in the morning"}, "for example 18:30"),
    ],
)
def test_a_bad_time_is_a_400_that_says_why_and_saves_nothing(patient_a, posted, said):
    response = signed_in(patient_a.user).post(URL, posted)

    assert response.status_code == 400
    assert said in response.text
    patient = Patient.objects.get(pk=patient_a.pk)
    assert patient.reminder_time is None
    assert not AuditEntry.objects.filter(action="change").exists()


def test_the_page_reads_a_fixed_number_of_queries(patient_a, django_assert_max_num_queries):
    client = signed_in(patient_a.user)
    for n in range(4):
        ProgramFactory(patient=patient_a, name=f"Program {n}", reminder_time=dt.time(9, n))
    with django_assert_max_num_queries(6):
        client.get(URL)


@time_machine.travel("2026-03-10 12:00Z", tick=False)
def test_under_hip_precautions_the_page_still_reads_a_fixed_number_of_queries(
    patient_a, therapist_a
):
    """Under precautions the page also reads the programs' items and ladder levels, to leave
    out a program they hold back all week: as many queries for four programs as for one."""
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 12),
    )  # fmt: skip
    client = signed_in(patient_a.user)
    inward = ExerciseFactory(hip_movements=["internal_rotation"])

    def add_program(n):
        program = ProgramFactory(
            patient=patient_a, name=f"Program {n}", reminder_time=dt.time(9, n),
            start_date=dt.date(2026, 3, 1),
        )  # fmt: skip
        ExerciseItemFactory(program=program, exercise=inward)
        LadderItemFactory(program=program)

    add_program(0)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for n in range(1, 4):
        add_program(n)
    with CaptureQueriesContext(connection) as four:
        client.get(URL)

    assert len(four) == len(one) <= 9


API = "/api/v1/me/reminders/"


def test_the_api_reads_and_changes_the_choice(patient_a):
    client = signed_in(patient_a.user)
    assert client.get(API).json() == {
        "reminders_enabled": True, "reminder_time": None, "time_zone": "Europe/London",
        "reminder_channel": "email",
    }  # fmt: skip

    changed = client.patch(API, {"reminder_time": "18:45"}, content_type="application/json")

    assert changed.status_code == 200
    assert changed.json()["reminder_time"] == "18:45:00"
    off = client.patch(API, {"reminders_enabled": False}, content_type="application/json")
    assert off.json() == {
        "reminders_enabled": False, "reminder_time": "18:45:00", "time_zone": "Europe/London",
        "reminder_channel": "email",
    }  # fmt: skip
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.reminders_enabled, patient.reminder_time) == (False, dt.time(18, 45))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reminder_time": "22:15"}, "reminder_time"),
        ({"reminder_time": "quarter past"}, "reminder_time"),
        ({"reminders_enabled": "maybe"}, "reminders_enabled"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": None}, "time_zone"),
    ],
)
def test_the_api_refuses_bad_input_with_a_400_naming_the_field(patient_a, body, field):
    client = signed_in(patient_a.user)

    response = client.patch(API, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}: ")
    assert field in response.json()["errors"]
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.reminder_time, patient.time_zone) == (None, "Europe/London")


def test_the_api_changes_the_time_zone_and_says_so_for_an_unknown_one(patient_a):
    client = signed_in(patient_a.user)

    changed = client.patch(API, {"time_zone": "Asia/Tokyo"}, content_type="application/json")
    unknown = client.patch(
        API, {"time_zone": "Asia/Atlantis", "reminder_time": "09:00"},
        content_type="application/json",
    )  # fmt: skip

    assert changed.status_code == 200
    assert changed.json()["time_zone"] == "Asia/Tokyo"
    assert changed.json()["reminder_time"] is None  # left out: kept
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "time_zone: 'Asia/Atlantis' is not a known time zone."
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.time_zone, patient.reminder_time) == ("Asia/Tokyo", None)
    entry = AuditEntry.objects.get(patient=patient_a)
    assert entry.detail == "time zone Europe/London → Asia/Tokyo, chosen by the patient"


# --- The time zone on the page ---------------------------------------------------------------


def test_the_page_offers_every_zone_grouped_by_region_with_the_saved_one_chosen(patient_a):
    text = signed_in(patient_a.user).get(URL).text

    assert '<select name="time_zone"' in text
    assert '<label for="id_time_zone">My time zone</label>' in text
    assert '<optgroup label="Asia">' in text
    assert '<option value="Asia/Tokyo">Tokyo</option>' in text
    assert (
        '<option value="America/Argentina/Buenos_Aires">Buenos Aires (Argentina)</option>' in text
    )
    assert '<option value="Europe/London" selected>London</option>' in text
    assert "in Europe/London." in text  # what time it is there
    # The phone's zone is offered by the page's script, hidden until it finds one to offer.
    assert 'data-saved-zone="Europe/London"' in text
    assert re.search(r'<div class="card notice" id="phone-zone"[^>]* hidden>', text)
    assert 'src="/static/js/reminders.js' in text


def test_choosing_a_zone_saves_it_and_says_the_day_follows_it(patient_a):
    client = signed_in(patient_a.user)

    response = client.post(
        URL, {"reminders_enabled": "on", "reminder_time": "08:30", "time_zone": "Asia/Tokyo"}
    )

    assert response.status_code == 302
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.time_zone, patient.reminder_time) == ("Asia/Tokyo", dt.time(8, 30))
    after = client.get(URL).text
    assert (
        "Saved. Your time zone is now Asia/Tokyo: your day follows it. "
        "Reminders come at 08:30 on your exercise days."
    ) in after
    assert '<option value="Asia/Tokyo" selected>Tokyo</option>' in after
    assert "in Asia/Tokyo." in after
    details = set(AuditEntry.objects.filter(patient=patient_a).values_list("detail", flat=True))
    assert "time zone Europe/London → Asia/Tokyo, chosen by the patient" in details


def test_saving_with_the_same_zone_says_nothing_about_it(patient_a):
    client = signed_in(patient_a.user)

    client.post(URL, {"reminders_enabled": "on", "time_zone": "Europe/London"})

    page = client.get(URL).text
    assert "Nothing to save: you changed nothing. Reminders come at the usual time" in page
    assert "Your time zone is now" not in page
    assert not AuditEntry.objects.filter(action="change").exists()


def test_a_zone_not_on_the_list_is_a_400_that_saves_nothing(patient_a):
    response = signed_in(patient_a.user).post(
        URL, {"reminders_enabled": "on", "reminder_time": "09:00", "time_zone": "Mars/Olympus"}
    )

    assert response.status_code == 400
    assert "Choose your time zone from the list." in response.text
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.time_zone, patient.reminder_time) == ("Europe/London", None)


def test_a_zone_the_list_leaves_out_stays_chosen_and_is_kept_on_save(patient_a):
    """A name staff or the API saved that the list does not offer (US/Eastern) is shown as
    the choice, so saving the page never changes it unasked."""
    Patient.objects.filter(pk=patient_a.pk).update(time_zone="US/Eastern")
    client = signed_in(patient_a.user)

    text = client.get(URL).text
    response = client.post(URL, {"reminder_time": "09:00", "time_zone": "US/Eastern"})

    assert '<option value="US/Eastern" selected>US/Eastern</option>' in text
    assert response.status_code == 302
    assert Patient.objects.get(pk=patient_a.pk).time_zone == "US/Eastern"
