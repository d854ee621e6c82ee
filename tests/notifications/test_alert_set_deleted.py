"""A pain alert whose set the patient deletes afterwards (they may, within 24 hours): the alert
stays, still names the exercise and day it was about, and says the patient deleted the set
and when (the patient's own time), so the therapist does not look for it in the log history
in vain: in the inbox, in the API and in an email sent after the deletion (a retry)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from apps.notifications.messages import alert_message
from apps.notifications.models import PainAlert
from apps.notifications.tasks import evaluate_set_log
from apps.programs.logs import set_log_delete, set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 7, 6)  # a Monday, in British Summer Time: the patient's time is UTC + 1
LOGGED = datetime(2026, 7, 6, 13, 30, tzinfo=LONDON)
DELETED = datetime(2026, 7, 6, 14, 5, tzinfo=LONDON)


@pytest.fixture
def painful_set(patient_a):
    """Ann logs pain 8 during the reverse clamshell (the therapist is emailed)."""
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 7, 1))
    exercise = ExerciseFactory(name="Reverse clamshell")
    item = ExerciseItemFactory(program=program, exercise=exercise, per_side=True)
    with time_machine.travel(LOGGED, tick=False):
        log, _ = set_log_record(
            patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=DAY,
            side="left", reps=10, pain=8,
        )  # fmt: skip
        evaluate_set_log(log.pk)
    return log


def delete(log):
    with time_machine.travel(DELETED, tick=False):
        set_log_delete(log=log)


def test_the_inbox_still_names_the_exercise_and_says_the_set_was_deleted(therapist_a, painful_set):
    delete(painful_set)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "logged pain <strong>8/10</strong>" in html
    assert "on Mon 6 Jul 2026 during Reverse clamshell." in html
    assert "The patient deleted this set at 14:05" in html
    assert "no longer in their log history" in html


def test_the_alert_keeps_its_day_pain_and_exercise(painful_set):
    delete(painful_set)

    alert = PainAlert.objects.get()
    assert (alert.local_date, alert.pain, alert.exercise_name) == (DAY, 8, "Reverse clamshell")
    assert (alert.log, alert.set_deleted_at) == (None, DELETED)


def test_deleted_through_the_patients_api_it_is_recorded_too(patient_a, painful_set):
    with time_machine.travel(DELETED, tick=False):
        response = signed_in(patient_a.user).delete(f"/api/v1/me/logs/{painful_set.public_id}/")

    assert response.status_code == 204
    assert PainAlert.objects.get().set_deleted_at == DELETED


def test_the_api_gives_the_exercise_and_when_the_set_was_deleted(therapist_a, painful_set):
    delete(painful_set)

    (alert,) = signed_in(therapist_a).get("/api/v1/alerts/").json()["results"]

    assert alert["exercise_name"] == "Reverse clamshell"
    assert datetime.fromisoformat(alert["set_deleted_at"]) == DELETED


def test_an_email_written_after_the_deletion_still_names_the_exercise(painful_set):
    assert len(mail.outbox) == 1
    delete(painful_set)

    body = alert_message(alert=PainAlert.objects.get()).body

    assert "on Monday 6 July 2026 during Reverse clamshell" in body
    assert "The patient has since deleted this set" in body


def test_an_alert_whose_set_is_kept_says_nothing_of_a_deletion(therapist_a, painful_set):
    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "during Reverse clamshell." in html
    assert "deleted" not in html


def test_the_patients_log_history_says_where_a_deleted_sets_alert_is(therapist_a, painful_set):
    delete(painful_set)
    url = reverse("reports:patient-progress", args=[painful_set.patient.public_id])

    html = signed_in(therapist_a).get(url).content.decode()

    assert "Reverse clamshell" not in html
    assert "A set the patient deleted" in html
    assert "A pain alert about one stays in your inbox" in html


def test_alerts_raised_before_keep_the_name_of_their_set_still_there(painful_set):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    PainAlert.objects.update(exercise_name="")
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        MigrationExecutor(connection).migrate([("notifications", "0005_reminder_skip_held_back")])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert PainAlert.objects.get().exercise_name == "Reverse clamshell"
