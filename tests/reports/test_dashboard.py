"""The therapist dashboard: who is listed, the figures and flags, sorting, query counts.

Time is frozen at Friday 14 March 2025, 12:00 UTC; programs run every day from 1 March."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.audit.models import Action, AuditEntry
from apps.programs.models import PromptStatus
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.programs.adherence_factories import PromptFactory, log_sets

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2025, 3, 14)
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def patient_with_logs(therapist, name, days, pain=2):
    """A patient prescribed one set a day since 1 March who logged on ``days`` (days ago)."""
    patient = PatientFactory(therapist=therapist, full_name=name)
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient, start_date=date(2025, 3, 1)), sets=1, per_side=False
    )
    for ago in days:
        log_sets(item, TODAY - timedelta(days=ago), pain=pain)
    return patient


def rows(response):
    return {row.patient.full_name: row for row in response.context["rows"]}


def flag_codes(row):
    return {flag.code for flag in row.flags}


def test_a_therapist_sees_only_their_own_patients(therapist_a, clinic_a, patient_b):
    colleague = StaffFactory(clinic=clinic_a)
    patient_with_logs(therapist_a, "Mine", range(7))
    patient_with_logs(colleague, "Colleague's", range(7))

    response = signed_in(therapist_a).get(URL)

    assert response.status_code == 200
    assert set(rows(response)) == {"Mine"}


def test_an_admin_sees_the_clinic_and_can_filter_by_therapist(
    admin_a, therapist_a, clinic_a, patient_b
):
    colleague = StaffFactory(clinic=clinic_a)
    patient_with_logs(therapist_a, "Ann", range(7))
    patient_with_logs(colleague, "Cat", range(7))
    client = signed_in(admin_a)

    everyone = client.get(URL)
    filtered = client.get(URL, {"therapist": str(colleague.public_id)})

    assert set(rows(everyone)) == {"Ann", "Cat"}
    assert set(rows(filtered)) == {"Cat"}


def test_an_admin_with_a_caseload_of_their_own_is_in_the_filter(admin_a, therapist_a):
    """Admins can have patients (the adherence report offers them): the dashboard's filter
    offers them too, and narrows to their own patients."""
    patient_with_logs(therapist_a, "Ann", range(7))
    patient_with_logs(admin_a, "Ada", range(7))
    client = signed_in(admin_a)

    offered = client.get(URL).context["therapists"]
    filtered = client.get(URL, {"therapist": str(admin_a.public_id)})

    assert {person.pk for person in offered} == {admin_a.pk, therapist_a.pk}
    assert filtered.status_code == 200
    assert set(rows(filtered)) == {"Ada"}


def test_a_therapist_of_another_clinic_is_a_bad_filter(admin_a, therapist_b):
    response = signed_in(admin_a).get(URL, {"therapist": str(therapist_b.public_id)})

    assert response.status_code == 400
    assert b"does not work in your clinic" in response.content


def test_a_malformed_therapist_filter_is_a_400(admin_a):
    response = signed_in(admin_a).get(URL, {"therapist": "alex"})

    assert response.status_code == 400
    assert b"not a valid id" in response.content


def test_an_unknown_sort_is_a_400_that_lists_the_sorts(therapist_a):
    response = signed_in(therapist_a).get(URL, {"sort": "shoe_size"})

    assert response.status_code == 400
    assert b"shoe_size" in response.content
    assert b"last_activity" in response.content


def test_a_patient_cannot_open_the_dashboard(patient_a):
    assert signed_in(patient_a.user).get(URL).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(db):
    assert Client().get(URL).status_code == 302


def test_adherence_and_last_activity_cover_7_and_30_days(therapist_a):
    # Prescribed every day since 1 March: 7 days in the last week, 14 since 1 March.
    patient_with_logs(therapist_a, "Steady", [0, 1, 2, 3, 4, 5, 9])

    row = rows(signed_in(therapist_a).get(URL))["Steady"]

    assert (row.week.completed, row.week.prescribed, row.week.adherence_percent) == (6, 7, 86)
    assert (row.month.completed, row.month.prescribed) == (7, 14)
    assert row.last_activity == TODAY


def test_flags_name_the_right_patients(therapist_a, clinic_a):
    clinic_a.pain_alert_level = 6
    clinic_a.save(update_fields=["pain_alert_level"])
    patient_with_logs(therapist_a, "Good", range(14))
    patient_with_logs(therapist_a, "Quiet", range(4, 14))  # last log Monday: Tue-Thu missed
    patient_with_logs(therapist_a, "Sore", range(14), pain=6)  # at the clinic's alert level
    patient_with_logs(therapist_a, "Patchy", [1, 3, 5, 8, 10])  # 3 of 7 this week

    found = rows(signed_in(therapist_a).get(URL))

    assert flag_codes(found["Good"]) == set()
    assert "missed" in flag_codes(found["Quiet"])
    assert found["Quiet"].missed_days == 3
    assert flag_codes(found["Sore"]) == {"pain"}
    assert flag_codes(found["Patchy"]) == {"low"}


def test_the_dashboard_writes_every_percentage_as_the_other_pages_do(therapist_a):
    """ "43 %" in the cell, the flag and the legend alike, as in the adherence report."""
    patient_with_logs(therapist_a, "Patchy", [1, 3, 5, 8, 10])  # 3 of 7 this week

    html = signed_in(therapist_a).get(URL).content.decode()

    assert '<span class="adherence">43 %</span>' in html
    assert "Low adherence (43 %)" in html
    assert "under 50 % in the last 7 days" in html
    assert not re.search(r"\d%", html.replace("100%", "")), re.findall(r".{40}\d%.{10}", html)


def test_a_worse_next_morning_answer_in_the_last_week_is_flagged(therapist_a):
    from apps.programs.models import MorningCheck

    worse = patient_with_logs(therapist_a, "Worse", range(14))
    older = patient_with_logs(therapist_a, "Older", range(14))
    MorningCheck.objects.create(
        patient=worse,
        local_date=TODAY,
        exercise_day=TODAY - timedelta(1),
        hip="worse",
        stiffness="same",
    )
    old_day = TODAY - timedelta(days=8)
    MorningCheck.objects.create(
        patient=older,
        local_date=old_day,
        exercise_day=old_day - timedelta(1),
        hip="same",
        stiffness="worse",
    )

    found = rows(signed_in(therapist_a).get(URL))

    assert flag_codes(found["Worse"]) == {"worse"}
    assert "Worse next morning (Fri 14 Mar)" in [f.label for f in found["Worse"].flags]
    assert flag_codes(found["Older"]) == set()


def test_a_locked_personal_link_is_flagged_with_the_way_to_renew_it(therapist_a):
    from django.utils import timezone

    from apps.patients.auth import personal_link_renew

    locked = patient_with_logs(therapist_a, "Locked", range(14))
    nearly = patient_with_logs(therapist_a, "Nearly", range(14))
    revoked = patient_with_logs(therapist_a, "Revoked", range(14))
    type(locked).objects.filter(pk__in=[locked.pk, revoked.pk]).update(link_failed_attempts=5)
    type(locked).objects.filter(pk=nearly.pk).update(link_failed_attempts=4)
    type(locked).objects.filter(pk=revoked.pk).update(link_revoked_at=timezone.now())
    client = signed_in(therapist_a)

    response = client.get(URL)
    locked.refresh_from_db()
    personal_link_renew(patient=locked)
    after = rows(client.get(URL))

    found = rows(response)
    assert flag_codes(found["Locked"]) == {"locked"}
    assert flag_codes(found["Nearly"]) == set()
    assert flag_codes(found["Revoked"]) == set()  # stopped on purpose: nothing to tell
    assert f'href="/patients/{locked.public_id}/#link-heading">Renew the link</a>' in response.text
    assert flag_codes(after["Locked"]) == set()


def test_pain_below_the_alert_level_is_not_flagged(therapist_a):
    patient_with_logs(therapist_a, "Mild", range(14), pain=6)  # default alert level is 7

    assert flag_codes(rows(signed_in(therapist_a).get(URL))["Mild"]) == set()


def test_ladder_levels_and_pending_prompts_are_shown(therapist_a):
    patient = PatientFactory(therapist=therapist_a, full_name="Climber")
    plan = ProgramFactory(patient=patient, start_date=date(2025, 3, 1))
    ladder_item = LadderItemFactory(
        program=plan, current_level=3, previous_level=2, level_since=TODAY, ladder__name="Clamshell"
    )
    LadderItemFactory(program=plan, active_until=date(2025, 3, 5))  # ended: not shown
    PromptFactory(item=ladder_item, level=3)
    PromptFactory(item=ladder_item, level=2, status=PromptStatus.APPROVED)

    response = signed_in(therapist_a).get(URL)
    row = rows(response)["Climber"]

    assert [(s.ladder, s.level, s.top) for s in row.ladders] == [("Clamshell", 3, 4)]
    assert row.pending_prompts == 1
    assert b"Clamshell: level 3 of 4" in response.content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ada", "Bob", "Cy", "Dee"]),
        ("-name", ["Dee", "Cy", "Bob", "Ada"]),
        ("week", ["Bob", "Cy", "Ada", "Dee"]),
        ("-week", ["Ada", "Cy", "Bob", "Dee"]),  # no prescription stays last
        ("last_activity", ["Bob", "Ada", "Cy", "Dee"]),  # ties keep the name order
        ("-flags", ["Bob", "Ada", "Cy", "Dee"]),
    ],
)
def test_each_column_sorts_on_the_server(therapist_a, sort, expected):
    patient_with_logs(therapist_a, "Ada", range(14))
    patient_with_logs(therapist_a, "Bob", [9, 10])
    patient_with_logs(therapist_a, "Cy", [0, 2, 4, 6])
    PatientFactory(therapist=therapist_a, full_name="Dee")

    response = signed_in(therapist_a).get(URL, {"sort": sort})

    assert [row.patient.full_name for row in response.context["rows"]] == expected


def test_the_sorted_column_is_announced(therapist_a):
    # With no patients the page shows what to do first instead of an empty table.
    PatientFactory(therapist=therapist_a, full_name="Dee")
    response = signed_in(therapist_a).get(URL, {"sort": "-week"})

    assert b'aria-sort="descending"' in response.content
    assert b'href="?sort=week"' in response.content


def test_the_dashboard_view_is_audited(therapist_a):
    patient_with_logs(therapist_a, "Ann", [0])

    signed_in(therapist_a).get(URL)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.detail) == (
        Action.VIEW,
        therapist_a.pk,
        "dashboard",
    )


def populate(therapist, count):
    for n in range(count):
        patient = PatientFactory(therapist=therapist)
        plan = ProgramFactory(patient=patient, start_date=date(2025, 2, 1))
        item = LadderItemFactory(program=plan)
        ExerciseItemFactory(program=plan)
        for ago in range(0, 30, 1 + n % 3):
            log_sets(item, TODAY - timedelta(days=ago), pain=n % 10)
        PromptFactory(item=item)


def test_the_dashboard_takes_a_fixed_number_of_queries(
    admin_a, therapist_a, django_assert_max_num_queries
):
    populate(therapist_a, 2)
    client = signed_in(admin_a)
    with django_assert_max_num_queries(60) as few:
        client.get(URL)
    populate(therapist_a, 12)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"sort": "-flags"})

    assert len(response.context["rows"]) == 14
