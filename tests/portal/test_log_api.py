"""The patient's own API under /api/v1/me/: today's plan, logging, correcting, deleting.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from rest_framework.renderers import JSONRenderer

from apps.portal.serializers import SetLogOut
from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory
from tests.portal.me_api import NOW, log_body

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 3)
LOGS = "/api/v1/me/logs/"
PLAN = "/api/v1/me/today/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


body = log_body


def post(client, data):
    return client.post(LOGS, data, content_type="application/json")


def test_it_creates_a_log_with_201_and_replays_it_with_200_and_the_same_body(patient_a, item):
    client = signed_in(patient_a.user)
    data = body(item)

    first = post(client, data)
    again = post(client, data)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["target_reps"] == 10
    assert first.json()["performed_on"] == "2026-03-03"
    assert SetLog.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reps": 500}, "reps", "from 0 to 200"),
        ({"pain": 12}, "pain", "from 0 to 10"),
        ({"pain": None}, "pain", "Choose how much pain"),
        ({"difficulty": 9}, "difficulty", "to 5"),
        ({"performed_on": "2026-03-05"}, "performed_on", "has not come yet"),  # begun nowhere
        ({"performed_on": "2026-01-01"}, "performed_on", "starts on"),
        ({"hold_seconds": 30, "reps": None}, "hold_seconds", "done in reps"),
        ({"side": "both"}, "side", "left or right"),
        ({"client_id": "not-a-uuid"}, "client_id", "must be a UUID"),
        ({"reps": "ten"}, "reps", "integer"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(patient_a, item, changes, field, words):
    response = post(signed_in(patient_a.user), body(item, **changes))

    assert response.status_code == 400
    payload = response.json()
    assert words in " ".join(payload["errors"][field])
    assert words in payload["message"]
    assert SetLog.objects.count() == 0


def test_a_set_without_any_pain_field_is_a_400_and_nothing_is_saved(patient_a, item):
    sent = body(item)
    del sent["pain"]

    response = post(signed_in(patient_a.user), sent)

    assert response.status_code == 400
    assert "Choose how much pain" in response.json()["errors"]["pain"][0]
    assert SetLog.objects.count() == 0


def test_the_schema_says_what_a_set_must_carry(client):
    """The service requires pain (and words its message), so the serializer leaves it
    optional; the schema must still say it is required, and when side is."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    component = schema["components"]["schemas"]["SetLogCreateInRequest"]

    assert {"client_id", "item", "pain"} <= set(component["required"])
    assert "side" not in component["required"]
    assert "each side (then required)" in component["properties"]["side"]["description"]


def test_a_missing_side_on_a_per_side_item_is_a_400(patient_a, item):
    data = body(item)
    del data["side"]

    response = post(signed_in(patient_a.user), data)

    assert response.status_code == 400
    assert "left or right" in response.json()["errors"]["side"][0]


def test_an_item_of_another_patient_is_a_400(patient_a, patient_b):
    theirs = ExerciseItemFactory(program=ProgramFactory(patient=patient_b))

    response = post(signed_in(patient_a.user), body(theirs))

    assert response.status_code == 400
    assert "not in your program" in response.json()["errors"]["item"][0]


def test_csrf_is_enforced_for_the_pages_script(patient_a, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient_a.user)

    response = post(client, body(item))

    assert response.status_code == 403
    assert SetLog.objects.count() == 0


def test_an_archived_patient_gets_404_for_a_good_or_a_bad_set(patient_a, item):
    # Only the log's lookup fails to find the item: the patient is read alone then, for
    # the 404 every /me/ endpoint gives an account without an active patient record.
    client = signed_in(patient_a.user)
    patient_a.archived_at = NOW
    patient_a.save(update_fields=["archived_at"])

    assert post(client, body(item)).status_code == 404
    assert post(client, body(item, reps="ten")).status_code == 404
    assert SetLog.objects.count() == 0


def test_the_answer_is_what_the_log_serializer_gives(patient_a, item):
    client = signed_in(patient_a.user)

    answer = post(client, body(item, note="felt fine", difficulty=3)).json()

    log = SetLog.objects.select_related("item", "exercise").get()
    expected = json.loads(JSONRenderer().render(SetLogOut(log).data))
    assert list(answer.items()) == list(expected.items())  # same keys, same order


@pytest.mark.parametrize(("ladder", "ceiling"), [(False, 9), (True, 10)])
def test_a_one_tap_log_uses_a_fixed_number_of_queries(
    patient_a, django_assert_max_num_queries, ladder, ceiling
):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    made = LadderItemFactory(program=program) if ladder else ExerciseItemFactory(program=program)
    client = signed_in(patient_a.user)
    post(client, body(made, side="left" if made.per_side else "both"))

    # Session, user, the item with its patient (and whether they have hip precautions: none
    # here, so none are read); in the transaction the ladder's levels (a ladder item), the
    # insert that numbers the set, the outbox row that queues its evaluation, the patient's
    # row lock and the day's totals, on PostgreSQL between two statements that put them on
    # their generic plan (SQLite takes no lock and has no plans to choose). The test runs
    # inside a transaction, so the service's is a savepoint here: two more.
    with django_assert_max_num_queries(ceiling + 2):
        response = post(client, body(made, side="left" if made.per_side else "both"))

    assert response.status_code == 201
    assert response.json()["set_number"] == 2


def test_the_plan_lists_todays_items_with_their_logged_sets(patient_a, item):
    client = signed_in(patient_a.user)
    post(client, body(item))

    plan = client.get(PLAN).json()

    assert plan["day"] == "2026-03-03"
    assert plan["scheduled"] is True
    assert (plan["prescribed"], plan["completed"], plan["complete"]) == (4, 1, False)
    entry = plan["items"][0]
    assert entry["public_id"] == str(item.public_id)
    assert entry["exercise"]["name"] == item.exercise.name
    assert [s["side"] for s in entry["sides"]] == ["left", "right"]
    assert entry["sides"][0]["logs"][0]["reps"] == 10


def test_the_plan_says_which_exercise_stops_for_today_and_the_clinics_pain_levels(patient_a, item):
    """CLINICAL.md: above the hold-back level (5) is too much: stop that exercise for the
    day. A client other than the page (which draws the advice) learns it from the plan."""
    other = ExerciseItemFactory(program=item.program, per_side=False)
    client = signed_in(patient_a.user)
    post(client, body(item, pain=6))
    post(client, body(other, side="both", pain=5))

    plan = client.get(PLAN).json()

    stops = {entry["public_id"]: entry["stop_for_today"] for entry in plan["items"]}
    assert stops == {str(item.public_id): True, str(other.public_id): False}
    assert (plan["pain_limit"], plan["pain_alert_level"]) == (5, 7)


def test_the_plans_stop_follows_the_clinics_own_hold_back_level(patient_a, admin_a, item):
    from apps.clinics.services import clinic_settings_update

    client = signed_in(patient_a.user)
    post(client, body(item, pain=4))
    assert client.get(PLAN).json()["items"][0]["stop_for_today"] is False

    clinic_settings_update(clinic=admin_a.clinic, actor=admin_a, pain_progression_limit=3)
    plan = client.get(PLAN).json()

    assert (plan["items"][0]["stop_for_today"], plan["pain_limit"]) == (True, 3)


def test_the_plan_uses_a_fixed_number_of_queries(patient_a, django_assert_max_num_queries):
    client = signed_in(patient_a.user)
    for _ in range(5):
        program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
        for made in (ExerciseItemFactory(program=program), LadderItemFactory(program=program)):
            for side in ("left", "right"):
                post(client, body(made, side=side))

    # Session, user, patient, the plan's five queries (with the hip precautions), then the
    # goals' two (best recent counts, ladder rules).
    with django_assert_max_num_queries(10):
        response = client.get(PLAN)

    assert len(response.json()["items"]) == 10


def test_recent_logs_are_listed_newest_first(patient_a, item):
    client = signed_in(patient_a.user)
    post(client, body(item, performed_on="2026-03-02"))
    post(client, body(item, side="right"))

    results = client.get(LOGS).json()["results"]

    assert [r["performed_on"] for r in results] == ["2026-03-03", "2026-03-02"]
    assert client.get(LOGS, {"days": "0"}).status_code == 400


def test_a_log_is_corrected_with_patch_and_deleted_with_delete(patient_a, item):
    client = signed_in(patient_a.user)
    log_id = post(client, body(item)).json()["public_id"]

    patched = client.patch(f"{LOGS}{log_id}/", {"reps": 8}, content_type="application/json")
    deleted = client.delete(f"{LOGS}{log_id}/")

    assert patched.status_code == 200
    assert (patched.json()["reps"], patched.json()["pain"]) == (8, 2)
    assert deleted.status_code == 204
    assert not SetLog.objects.exists()


def test_a_bad_correction_is_a_400_and_changes_nothing(patient_a, item):
    client = signed_in(patient_a.user)
    log_id = post(client, body(item)).json()["public_id"]

    response = client.patch(
        f"{LOGS}{log_id}/", {"reps": 7, "pain": 40}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "pain" in response.json()["errors"]
    assert SetLog.objects.get().reps == 10


def test_after_24_hours_a_log_is_locked(patient_a, item):
    client = signed_in(patient_a.user)
    log_id = post(client, body(item)).json()["public_id"]

    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        client = signed_in(patient_a.user)  # a fresh session: only the log has aged
        patched = client.patch(f"{LOGS}{log_id}/", {"reps": 8}, content_type="application/json")
        deleted = client.delete(f"{LOGS}{log_id}/")

    assert patched.status_code == 400
    assert "locked" in patched.json()["message"]
    assert deleted.status_code == 400
    assert SetLog.objects.get().reps == 10


def test_another_patients_log_is_a_404(patient_a, patient_b, item):
    log_id = post(signed_in(patient_a.user), body(item)).json()["public_id"]
    other = signed_in(patient_b.user)

    assert other.get(f"{LOGS}{log_id}/").status_code == 404
    assert (
        other.patch(f"{LOGS}{log_id}/", {"reps": 1}, content_type="application/json").status_code
        == 404
    )
    assert other.delete(f"{LOGS}{log_id}/").status_code == 404
    assert other.get(LOGS).json()["results"] == []
    assert SetLog.objects.get().reps == 10


def test_staff_have_no_me(therapist_a, admin_a, patient_a, item):
    log_id = post(signed_in(patient_a.user), body(item)).json()["public_id"]

    for user in (therapist_a, admin_a):
        client = signed_in(user)
        assert client.get(PLAN).status_code == 403
        assert client.get(LOGS).status_code == 403
        assert post(client, body(item)).status_code == 403
        assert client.get(f"{LOGS}{log_id}/").status_code == 403


def test_anonymous_requests_are_refused(item):
    assert Client().get(PLAN).status_code in (401, 403)
