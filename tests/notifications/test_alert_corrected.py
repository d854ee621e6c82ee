"""A pain alert whose set the patient corrects: the alert stays (a pain report once made does
not silently vanish, and its email is not taken back) and says what the patient changed it to,
and when (the patient's own time), in the inbox and in the API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from apps.notifications.models import PainAlert
from apps.notifications.tasks import evaluate_set_log
from apps.programs.logs import set_log_correct, set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 7, 6)  # a Monday, in British Summer Time: the patient's time is UTC + 1
LOGGED = datetime(2026, 7, 6, 13, 30, tzinfo=LONDON)
CORRECTED = datetime(2026, 7, 6, 14, 5, tzinfo=LONDON)


@pytest.fixture
def painful_set(patient_a):
    """Ann logs pain 8 on the left (the therapist is emailed), then corrects it at 14:05."""
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 7, 1))
    item = ExerciseItemFactory(program=program, per_side=True)
    with time_machine.travel(LOGGED, tick=False):
        log, _ = set_log_record(
            patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=DAY,
            side="left", reps=10, pain=8,
        )  # fmt: skip
        evaluate_set_log(log.pk)
    return log


def correct(log, *, pain, reps=10):
    with time_machine.travel(CORRECTED, tick=False):
        set_log_correct(log=log, pain=pain, reps=reps)
        evaluate_set_log(log.pk)


def test_a_corrected_pain_keeps_the_alert_and_shows_the_correction_in_the_inbox(
    therapist_a, painful_set
):
    correct(painful_set, pain=2)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "logged pain <strong>8/10</strong>" in html
    assert "The patient corrected this set's pain to <strong>2/10</strong> at 14:05." in html
    alert = PainAlert.objects.get()
    assert (alert.pain, alert.acknowledged_at) == (8, None)


def test_the_email_already_sent_is_not_taken_back_or_sent_again(painful_set):
    assert [m.subject for m in mail.outbox] == ["Pain alert: Ann A logged pain 8/10"]

    correct(painful_set, pain=2)

    assert len(mail.outbox) == 1


def test_the_api_gives_the_pain_reported_and_its_correction(therapist_a, painful_set):
    correct(painful_set, pain=2)

    (alert,) = signed_in(therapist_a).get("/api/v1/alerts/").json()["results"]

    assert (alert["pain"], alert["corrected_pain"]) == (8, 2)
    assert datetime.fromisoformat(alert["corrected_at"]) == CORRECTED


def test_a_correction_of_the_reps_only_says_nothing_about_pain(therapist_a, painful_set):
    correct(painful_set, pain=8, reps=6)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()
    (alert,) = signed_in(therapist_a).get("/api/v1/alerts/").json()["results"]

    assert "corrected" not in html
    assert (alert["corrected_pain"], alert["corrected_at"]) == (None, None)


def test_an_alert_not_corrected_says_nothing_of_a_correction(therapist_a, painful_set):
    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "logged pain <strong>8/10</strong>" in html
    assert "corrected" not in html


def test_a_correction_made_the_next_day_names_its_day(therapist_a, painful_set):
    with time_machine.travel(datetime(2026, 7, 7, 9, 15, tzinfo=LONDON), tick=False):
        set_log_correct(log=painful_set, pain=3, reps=10)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "pain to <strong>3/10</strong> at 09:15 on Tue 7 Jul." in html
