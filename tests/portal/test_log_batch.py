"""POST /api/v1/me/logs/batch/: the phone's offline queue sends its sets all or nothing.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import json
from datetime import date
from unittest import mock

import pytest
import time_machine
from django.db import connection
from rest_framework.renderers import JSONRenderer

from apps.core.models import OutboxMessage
from apps.notifications.tasks import evaluate_set_logs
from apps.portal.serializers import SetLogOut
from apps.programs.models import SetLog
from config.celery import app as celery_app
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory
from tests.portal.me_api import NOW, log_body

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/me/logs/batch/"
LOGS = "/api/v1/me/logs/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


entry = log_body


def post(client, logs):
    return client.post(BATCH, {"logs": logs}, content_type="application/json")


def three(item):
    return [entry(item), entry(item, side="right"), entry(item, performed_on="2026-03-02")]


def test_a_batch_of_three_saves_three_and_answers_each_in_order(patient_a, item):
    logs = three(item)

    response = post(signed_in(patient_a.user), logs)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["client_id"] for r in results] == [e["client_id"] for e in logs]
    assert [r["created"] for r in results] == [True, True, True]
    assert [r["log"]["side"] for r in results] == ["left", "right", "left"]
    assert results[0]["log"]["target_reps"] == 10
    assert SetLog.objects.filter(patient=patient_a).count() == 3


def test_set_numbers_count_stored_sets_and_earlier_sets_of_the_batch(patient_a, item):
    client = signed_in(patient_a.user)
    client.post(LOGS, entry(item), content_type="application/json")

    results = post(client, [entry(item), entry(item), entry(item, side="right")]).json()["results"]

    assert [r["log"]["set_number"] for r in results] == [2, 3, 1]


def test_a_replay_saves_nothing_and_returns_the_stored_logs(patient_a, item):
    client = signed_in(patient_a.user)
    logs = three(item)
    first = post(client, logs).json()["results"]

    again = post(client, logs)

    assert again.status_code == 200
    replayed = again.json()["results"]
    assert [r["created"] for r in replayed] == [False, False, False]
    assert [r["log"] for r in replayed] == [r["log"] for r in first]
    assert SetLog.objects.count() == 3


def test_a_batch_mixing_new_sets_and_replays_saves_only_the_new(patient_a, item):
    client = signed_in(patient_a.user)
    stored = entry(item)
    client.post(LOGS, stored, content_type="application/json")

    results = post(client, [stored, entry(item, side="right")]).json()["results"]

    assert [r["created"] for r in results] == [False, True]
    assert SetLog.objects.count() == 2


def test_one_bad_set_is_a_400_naming_its_index_and_nothing_is_saved(patient_a, item):
    logs = [*three(item), entry(item, pain=12)]

    response = post(signed_in(patient_a.user), logs)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["logs.3.pain"]
    assert "from 0 to 10" in errors["logs.3.pain"][0]
    assert "logs.3.pain" in response.json()["message"]
    assert not SetLog.objects.exists()


def test_type_errors_name_their_index_too(patient_a, item):
    logs = [entry(item), entry(item, client_id="nope", reps="ten")]

    errors = post(signed_in(patient_a.user), logs).json()["errors"]

    assert "must be a UUID" in errors["logs.1.client_id"][0]
    assert "integer" in errors["logs.1.reps"][0]
    assert not SetLog.objects.exists()


def test_an_item_of_another_patient_is_a_400_and_nothing_is_saved(patient_a, patient_b, item):
    theirs = ExerciseItemFactory(program=ProgramFactory(patient=patient_b))

    response = post(signed_in(patient_a.user), [entry(item), entry(theirs)])

    assert response.status_code == 400
    assert "not in your program" in response.json()["errors"]["logs.1.item"][0]
    assert not SetLog.objects.exists()


def test_a_client_id_stored_by_another_patient_is_a_400(patient_a, patient_b, item):
    their_item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_b, start_date=date(2026, 2, 1)), per_side=False
    )
    taken = entry(their_item, side="both")
    stored = signed_in(patient_b.user).post(LOGS, taken, content_type="application/json")
    assert stored.status_code == 201

    response = post(
        signed_in(patient_a.user),
        [entry(item), {**entry(item), **{"client_id": taken["client_id"]}}],
    )

    assert response.status_code == 400
    assert "already used" in response.json()["errors"]["logs.1.client_id"][0]
    assert SetLog.objects.filter(patient=patient_a).count() == 0


def test_the_same_client_id_twice_in_a_batch_is_a_400(patient_a, item):
    same = entry(item)

    response = post(signed_in(patient_a.user), [same, same])

    assert response.status_code == 400
    assert "twice" in response.json()["errors"]["logs.1.client_id"][0]
    assert not SetLog.objects.exists()


@pytest.mark.parametrize(("count", "words"), [(101, "at most 100"), (0, "at least one")])
def test_more_than_100_sets_or_none_is_a_400(patient_a, item, count, words):
    response = post(signed_in(patient_a.user), [entry(item) for _ in range(count)])

    assert response.status_code == 400
    assert words in response.json()["errors"]["logs"][0]
    assert not SetLog.objects.exists()


def test_a_body_without_a_list_is_a_400(patient_a):
    client = signed_in(patient_a.user)

    response = client.post(BATCH, {"logs": "many"}, content_type="application/json")

    assert response.status_code == 400
    assert "must be a list" in response.json()["errors"]["logs"][0]


@pytest.mark.parametrize("staff", ["therapist_a", "admin_a"])
def test_staff_get_a_403_and_nothing_is_saved(request, item, staff):
    user = request.getfixturevalue(staff)

    response = post(signed_in(user), three(item))

    assert response.status_code == 403
    assert not SetLog.objects.exists()


def test_one_evaluation_task_is_enqueued_for_all_new_logs_once_committed(
    patient_a, item, django_capture_on_commit_callbacks
):
    client = signed_in(patient_a.user)
    stored = entry(item)
    client.post(LOGS, stored, content_type="application/json")

    with mock.patch.object(celery_app, "send_task") as send_task:
        with django_capture_on_commit_callbacks() as callbacks:
            post(client, [stored, entry(item, side="right"), entry(item)])
        send_task.assert_not_called()  # not before the commit
        for callback in callbacks:
            callback()

    new = SetLog.objects.exclude(client_id=stored["client_id"]).order_by("pk")
    send_task.assert_called_once()
    assert send_task.call_args.args[0] == evaluate_set_logs.name
    assert send_task.call_args.kwargs["args"] == [[log.pk for log in new]]
    # The outbox row was written with the logs, in the same transaction.
    assert OutboxMessage.objects.latest("pk").args == [[log.pk for log in new]]


def test_a_batch_of_replays_only_enqueues_nothing(
    patient_a, item, django_capture_on_commit_callbacks
):
    client = signed_in(patient_a.user)
    logs = three(item)
    post(client, logs)

    with (
        mock.patch("apps.programs.logs_batch.dispatch.enqueue_logs_evaluation") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, logs)

    assert [r["created"] for r in response.json()["results"]] == [False, False, False]
    enqueue.assert_not_called()


def test_each_answered_log_is_what_the_single_log_serializer_gives(patient_a, item):
    client = signed_in(patient_a.user)
    stored = entry(item, note="felt fine", difficulty=3)
    client.post(LOGS, stored, content_type="application/json")

    results = post(client, [stored, entry(item, side="right")]).json()["results"]

    for result in results:
        log = SetLog.objects.select_related("item", "exercise").get(client_id=result["client_id"])
        expected = json.loads(JSONRenderer().render(SetLogOut(log).data))
        assert list(result["log"].items()) == list(expected.items())  # same keys, same order


def test_a_batch_of_ladder_and_single_items_keeps_each_prescription(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    ladder = LadderItemFactory(program=program)
    single = ExerciseItemFactory(program=program, per_side=False, reps=12)
    side = "left" if ladder.per_side else "both"

    results = post(
        signed_in(patient_a.user), [entry(ladder, side=side), entry(single, side="both")]
    ).json()["results"]

    assert results[0]["log"]["ladder_level"] == ladder.level_on(date(2026, 3, 3))
    assert results[1]["log"]["ladder_level"] is None
    assert results[1]["log"]["target_reps"] == 12


@pytest.mark.parametrize("size", [1, 100])
def test_a_batch_uses_a_fixed_number_of_queries_whatever_its_size(
    patient_a, django_assert_max_num_queries, size
):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    items = [LadderItemFactory(program=program), ExerciseItemFactory(program=program)]
    logs = [
        entry(items[n % 2], side=("left", "right")[n % 2] if items[n % 2].per_side else "both")
        for n in range(size)
    ]
    client = signed_in(patient_a.user)

    # Session, user, patient; stored ids, items, set counts, ladder levels, hip precautions,
    # insert, re-read; the outbox row that queues their evaluation; the days' daily totals
    # (told by the precautions already read that none holds an item back, they do not ask
    # again); the transaction's savepoint and its release. On PostgreSQL one INSERT plus the
    # patient's row lock the totals take, which also bumps the patient's Today version;
    # the totals run on their generic plan between two statements that set it. SQLite
    # takes no row lock but bumps the version in a statement of its own, and caps a query
    # at 999 parameters, so Django splits the rows into INSERTs of 49 there: up to three
    # for 100 sets.
    extra = 2 + 2 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(13 + extra):
        response = post(client, logs)

    assert response.status_code == 200
    assert SetLog.objects.count() == size


def test_a_set_of_a_ladder_level_with_no_exercise_is_a_400_naming_its_index(patient_a, item):
    no_level = LadderItemFactory(program=item.program, per_side=False, current_level=9)
    logs = [*three(item), entry(no_level, side="both")]

    response = post(signed_in(patient_a.user), logs)

    assert response.status_code == 400
    # The phone's queue names the set to drop or fix, as for every other refusal.
    assert list(response.json()["errors"]) == ["logs.3.item"]
    assert "no level to log against" in response.json()["errors"]["logs.3.item"][0]
    assert not SetLog.objects.exists()
