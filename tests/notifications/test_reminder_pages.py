"""Reminder records for the therapist, and the patient's one-click opt-out."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from apps.notifications.links import opt_out_url
from apps.notifications.models import Reminder
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def reminder(patient, **fields):
    return Reminder.objects.create(
        patient=patient,
        local_date=fields.pop("local_date", date(2025, 1, 15)),
        due_at=datetime(2025, 1, 15, 18, tzinfo=ZoneInfo("UTC")),
        channel="email",
        **fields,
    )


def test_the_therapist_sees_each_reminder_with_its_outcome_and_reason(therapist_a, patient_a):
    reminder(patient_a, status="sent")
    reminder(patient_a, status="skipped", skip_reason="day_complete", local_date=date(2025, 1, 16))
    reminder(patient_a, status="failed", error="Mailbox full", local_date=date(2025, 1, 17))

    response = signed_in(therapist_a).get(reverse("notifications:reminders"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The patient had already done that day&#x27;s exercises" in html
    assert "Mailbox full" in html
    assert "Sent" in html


def test_the_reminder_page_is_scoped_to_the_clinic(therapist_a, patient_b):
    reminder(patient_b, status="sent")
    client = signed_in(therapist_a)

    assert "Ben B" not in client.get(reverse("notifications:reminders")).content.decode()
    url = reverse("notifications:reminders") + f"?patient={patient_b.public_id}"
    assert client.get(url).status_code == 404
    assert client.get(reverse("notifications:reminders") + "?patient=nope").status_code == 404


def test_the_reminder_page_takes_the_same_queries_for_more_rows(
    therapist_a, patient_a, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    client.get(reverse("notifications:reminders"))
    for day in range(1, 20):
        reminder(patient_a, status="sent", local_date=date(2025, 1, day))

    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:reminders"))

    assert response.content.decode().count("badge ok") == 19


def test_the_opt_out_link_asks_first_then_turns_reminders_off_without_signing_in(patient_a):
    url = opt_out_url(patient_a).removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    patient_a.refresh_from_db()
    assert page.status_code == 200
    assert patient_a.reminders_enabled
    assert 'Choose another on <a href="/reminders/">Reminders</a>' in page.content.decode()

    done = client.post(url)  # one-click: no session, no CSRF token (RFC 8058)

    patient_a.refresh_from_db()
    assert done.status_code == 200
    assert "Reminders stopped" in done.content.decode()
    assert '<a href="/reminders/">Reminders</a>' in done.content.decode()
    assert not patient_a.reminders_enabled


def test_a_tampered_opt_out_link_is_a_404(patient_a, patient_b):
    url = opt_out_url(patient_a).removeprefix("http://127.0.0.1:8000")
    forged = url.replace(str(patient_a.public_id), str(patient_b.public_id))

    assert Client().post(forged).status_code == 404
    assert Client().post("/reminders/stop/garbage/").status_code == 404
    patient_b.refresh_from_db()
    assert patient_b.reminders_enabled
