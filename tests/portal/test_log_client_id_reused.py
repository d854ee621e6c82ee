"""A client_id is an idempotency key: the same set sent again is answered with the stored
log, a different set under a used client_id is a 409 that names what differs and saves
nothing, on the single endpoint and in a batch.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import pytest
import time_machine

from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.portal.me_api import NOW, log_body

pytestmark = pytest.mark.django_db

LOGS = "/api/v1/me/logs/"
BATCH = "/api/v1/me/logs/batch/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_different_set_under_a_used_client_id_is_a_409_naming_the_fields(patient_a, item):
    client = signed_in(patient_a.user)
    data = log_body(item, performed_on="2026-03-03")
    assert post(client, LOGS, data).status_code == 201

    response = post(client, LOGS, {**data, "reps": 12, "pain": 3})

    assert response.status_code == 409
    body = response.json()
    assert "already used for a different set" in body["errors"]["client_id"][0]
    assert "reps, pain" in body["errors"]["client_id"][0]
    assert set(body["errors"]) == {"client_id", "reps", "pain"}
    assert "10" in body["errors"]["reps"][0]
    assert "client_id" in body["message"]
    stored = SetLog.objects.get()
    assert (stored.reps, stored.pain) == (10, 2)


def test_a_retry_that_differs_only_in_form_is_the_same_set(patient_a, item):
    client = signed_in(patient_a.user)
    data = log_body(item, note="felt fine")
    first = post(client, LOGS, data)

    # The same numbers written as decimals, the note with spaces around it, and neither the
    # day nor the set number (both filled in as the first time).
    again = post(client, LOGS, {**data, "pain": 2.0, "reps": "10.0", "note": " felt fine  "})

    assert again.status_code == 200
    assert again.json() == first.json()
    assert SetLog.objects.count() == 1


def test_a_retry_without_a_day_on_a_later_day_is_the_same_set(patient_a, item):
    client = signed_in(patient_a.user)
    data = log_body(item)
    first = post(client, LOGS, data)

    with time_machine.travel("2026-03-04 12:00Z", tick=False):
        again = post(signed_in(patient_a.user), LOGS, data)

    assert again.status_code == 200
    assert again.json()["public_id"] == first.json()["public_id"]
    assert SetLog.objects.count() == 1


def test_a_batch_with_a_different_set_under_a_used_client_id_is_a_409_saving_nothing(
    patient_a, item
):
    client = signed_in(patient_a.user)
    stored = log_body(item)
    post(client, LOGS, stored)

    response = post(
        client, BATCH, {"logs": [log_body(item, side="right"), {**stored, "difficulty": 4}]}
    )

    assert response.status_code == 409
    errors = response.json()["errors"]
    assert set(errors) == {"logs.1.client_id", "logs.1.difficulty"}
    assert "already used for a different set" in errors["logs.1.client_id"][0]
    assert SetLog.objects.count() == 1


def test_a_batch_with_a_reused_client_id_and_a_bad_set_is_a_400_naming_both(patient_a, item):
    client = signed_in(patient_a.user)
    stored = log_body(item)
    post(client, LOGS, stored)

    response = post(client, BATCH, {"logs": [log_body(item, pain=12), {**stored, "reps": 3}]})

    assert response.status_code == 400
    assert {"logs.0.pain", "logs.1.client_id", "logs.1.reps"} <= set(response.json()["errors"])
    assert SetLog.objects.count() == 1


def test_a_batch_retry_in_another_form_is_answered_with_the_stored_logs(patient_a, item):
    client = signed_in(patient_a.user)
    stored = log_body(item, performed_on="2026-03-03")
    post(client, LOGS, stored)
    retry = {key: value for key, value in stored.items() if key != "performed_on"}

    response = post(client, BATCH, {"logs": [{**retry, "pain": 2.0}, log_body(item)]})

    assert response.status_code == 200
    assert [r["created"] for r in response.json()["results"]] == [False, True]
    assert SetLog.objects.count() == 2


def test_todays_form_sent_again_with_other_values_says_so_and_saves_nothing(patient_a, item):
    # The page without JavaScript: a form sent, then sent again from the back button with
    # another number, carries the first send's client_id.
    client = signed_in(patient_a.user)
    data = {**log_body(item), "performed_on": "2026-03-03"}
    assert client.post("/today/log/", data).status_code == 302

    response = client.post("/today/log/", {**data, "reps": 12})

    assert response.status_code == 400
    html = response.content.decode()
    assert "This form was already sent with other values" in html
    assert "client_id" not in html.split("This form was already sent")[1][:200]
    assert SetLog.objects.get().reps == 10
