"""A set kept in the phone's queue carries the day its Today page was drawn for (the hidden
``performed_on``). When the patient's saved time zone moves west while it waits (the "Save
Europe/London as my time zone" button after a flight, or staff correcting it), that day can be
ahead of their new today. It was done on that day where the patient was: it is saved, not
refused as "has not come yet" (which drops it from the phone). Only a day that has not begun
anywhere on Earth (UTC+14) is refused from the queue; the form without JavaScript, sent as it
is drawn, still refuses a day that has not come for the patient.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC: 01:00 on Wednesday 4 March in Auckland
(UTC+13 in March), still Tuesday in London."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
import time_machine

from apps.patients.models import Patient
from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.portal.me_api import NOW, log_body

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/me/logs/batch/"
LOGS = "/api/v1/me/logs/"
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _page_day(client) -> str:
    """The day Today's log forms carry, as the phone's queue keeps it."""
    found = re.search(r'name="performed_on" value="([0-9-]+)"', client.get("/today/").text)
    assert found is not None
    return found[1]


def _flown_to_london(patient_a, item):
    """Today drawn in Auckland (Wednesday), then the patient saves London as their zone."""
    Patient.objects.filter(pk=patient_a.pk).update(time_zone="Pacific/Auckland")
    client = signed_in(patient_a.user)
    day = _page_day(client)
    saved = client.post("/reminders/", {"reminders_enabled": "on", "time_zone": "Europe/London"})
    assert saved.status_code == 302
    assert Patient.objects.get(pk=patient_a.pk).local_today() == date(2026, 3, 3)
    return client, day


def test_a_queued_batch_from_before_a_move_west_is_saved_on_its_day(patient_a, item):
    client, day = _flown_to_london(patient_a, item)

    response = client.post(
        BATCH,
        {"logs": [log_body(item, performed_on=day), log_body(item, performed_on=day)]},
        content_type="application/json",
    )

    assert day == "2026-03-04"
    assert response.status_code == 200, response.json()
    assert [log.performed_on for log in SetLog.objects.all()] == [WEDNESDAY, WEDNESDAY]


def test_a_single_queued_set_from_before_a_move_west_is_saved_on_its_day(patient_a, item):
    """One waiting set goes to the single endpoint."""
    client, day = _flown_to_london(patient_a, item)

    response = client.post(LOGS, log_body(item, performed_on=day), content_type="application/json")

    assert response.status_code == 201, response.json()
    assert SetLog.objects.get().performed_on == WEDNESDAY


def test_a_queued_set_for_a_day_not_yet_begun_anywhere_is_refused(patient_a, item):
    """At 12:00 UTC it is 02:00 on Wednesday in UTC+14: Thursday has begun nowhere."""
    client = signed_in(patient_a.user)

    batch = client.post(
        BATCH, {"logs": [log_body(item, performed_on="2026-03-05")]},
        content_type="application/json",
    )  # fmt: skip
    single = client.post(
        LOGS, log_body(item, performed_on="2026-03-05"), content_type="application/json"
    )

    assert batch.status_code == 400
    assert "has not come yet" in batch.json()["errors"]["logs.0.performed_on"][0]
    assert single.status_code == 400
    assert "has not come yet" in single.json()["errors"]["performed_on"][0]
    assert not SetLog.objects.exists()


def test_the_form_without_javascript_still_refuses_a_day_not_come_for_the_patient(patient_a, item):
    """Sent as it is drawn, online: the patient sees the refusal on the page, with Today drawn
    for their new day, and logs the set again there."""
    client, day = _flown_to_london(patient_a, item)

    response = client.post(
        "/today/log/",
        {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "performed_on": day,
         "side": "left", "reps": "10", "pain": "2"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "Wednesday 4 March 2026 has not come yet" in response.text
    assert 'name="performed_on" value="2026-03-03"' in response.text
    assert not SetLog.objects.exists()


@time_machine.travel("2026-03-03 11:30Z", tick=False)
def test_a_set_queued_just_after_midnight_in_utc_plus_13_is_saved_without_a_move(patient_a, item):
    """Tonga (UTC+13) is on Wednesday from 11:00 UTC. Without a change of zone the page's day
    is the patient's own today, drawn by the server, never the phone's clock: it cannot be
    ahead of their today when it syncs later. (Saved before the fix for a move west too.)"""
    Patient.objects.filter(pk=patient_a.pk).update(time_zone="Pacific/Tongatapu")
    client = signed_in(patient_a.user)
    day = _page_day(client)

    with time_machine.travel("2026-03-03 11:45Z", tick=False):
        response = client.post(
            BATCH, {"logs": [log_body(item, performed_on=day)]}, content_type="application/json"
        )

    assert day == "2026-03-04"
    assert response.status_code == 200
    assert SetLog.objects.get().performed_on == WEDNESDAY
