"""set_log_record: validation, idempotency by client id, and the prescription kept on the log.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC (the same day in London)."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core.once import ClientIdReused
from apps.patients.models import Side
from apps.programs import logs
from apps.programs.logs import set_log_record
from apps.programs.models import ProgramItem, SetLog
from tests.factories import (
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 3)
START = date(2026, 2, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_item(**kwargs):
    kwargs.setdefault("program", ProgramFactory(start_date=START))
    return ExerciseItemFactory(**kwargs)


def record(item, **kwargs):
    values = {
        "patient": item.program.patient,
        "item": item,
        "client_id": uuid.uuid4(),
        "performed_on": TODAY,
        "side": Side.LEFT if item.per_side else Side.BOTH,
        "pain": 2,
    }
    if item.hold_seconds is None:
        values["reps"] = item.reps
    else:
        values["hold_seconds"] = item.hold_seconds
    values.update(kwargs)
    return set_log_record(**values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.mark.django_db
def test_it_saves_a_set_with_the_prescription_of_its_time():
    item = make_item(sets=3, reps=12, per_side=True)

    log, created = record(item, reps=11, pain=3, difficulty=4, note="felt fine")

    assert created
    saved = SetLog.objects.get()
    assert saved == log
    assert (saved.reps, saved.pain, saved.difficulty, saved.note) == (11, 3, 4, "felt fine")
    assert (saved.exercise, saved.target_sets, saved.target_reps) == (item.exercise, 3, 12)
    assert saved.target_per_side
    assert saved.target_hold_seconds is None
    assert saved.set_number == 1
    assert saved.evaluated_at is None


@pytest.mark.django_db
def test_set_numbers_count_up_per_side():
    item = make_item()

    record(item, side=Side.LEFT)
    second, _ = record(item, side=Side.LEFT)
    right, _ = record(item, side=Side.RIGHT)

    assert (second.set_number, right.set_number) == (2, 1)


@pytest.mark.django_db
def test_log_retry_with_same_client_id_saves_once():
    item = make_item()
    client_id = uuid.uuid4()

    first, created = record(item, client_id=client_id, reps=10, note="fine")
    again, created_again = record(item, client_id=client_id, reps=10, note="  fine ")

    assert created
    assert not created_again
    assert again.pk == first.pk
    assert SetLog.objects.count() == 1


@pytest.mark.django_db
def test_a_different_set_under_a_used_client_id_is_refused_naming_what_differs():
    item = make_item()
    client_id = uuid.uuid4()
    record(item, client_id=client_id, reps=10, pain=2)

    with pytest.raises(ClientIdReused) as excinfo:
        record(item, client_id=client_id, reps=99, pain=2, side=Side.RIGHT)

    assert excinfo.value.fields == ["side", "reps"]
    errors = errors_of(excinfo)
    assert "already used for a different set" in errors["client_id"][0]
    assert "side, reps" in errors["client_id"][0]
    assert "10" in errors["reps"][0]
    stored = SetLog.objects.get()
    assert (stored.reps, stored.side) == (10, Side.LEFT)


@pytest.mark.django_db
def test_a_retry_whose_body_no_longer_passes_returns_the_stored_log():
    # Nothing is looked up by client id before the checks: a retry that fails them (a
    # precaution since, the program's start moved, a later day) must still find the stored set.
    item = make_item()
    client_id = uuid.uuid4()
    first, _ = record(item, client_id=client_id)
    item.program.start_date = date(2026, 3, 10)
    item.program.save(update_fields=["start_date"])

    again, created = record(item, client_id=client_id)

    assert (again.pk, again.reps, created) == (first.pk, 10, False)
    assert SetLog.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_naming_another_row_of_the_same_track_is_the_same_set():
    item = make_item(sets=2, reps=10, active_until=date(2026, 3, 2))
    new = ExerciseItemFactory(
        program=item.program, exercise=item.exercise, track=item.track, active_from=TODAY
    )
    client_id = uuid.uuid4()
    first, _ = record(item, client_id=client_id)  # saved against ``new``, in force today

    again, created = record(item, client_id=client_id)
    also, created_also = record(new, client_id=client_id)

    assert (again.pk, also.pk, created, created_also) == (first.pk, first.pk, False, False)


@pytest.mark.django_db
def test_a_retry_without_a_day_or_set_number_matches_what_was_filled_in():
    item = make_item()
    client_id = uuid.uuid4()
    first, _ = record(item, client_id=client_id, performed_on=date(2026, 3, 2), set_number=None)

    again, created = record(item, client_id=client_id, performed_on=None, set_number=None)

    assert (again.pk, created) == (first.pk, False)


@pytest.mark.django_db
def test_another_item_under_a_used_client_id_is_refused():
    item = make_item()
    other = make_item(program=item.program)
    client_id = uuid.uuid4()
    record(item, client_id=client_id)

    with pytest.raises(ClientIdReused) as excinfo:
        record(other, client_id=client_id)

    assert excinfo.value.fields == ["item"]
    assert SetLog.objects.count() == 1


@pytest.mark.django_db
def test_a_client_id_of_another_patient_is_refused():
    item = make_item()
    other = make_item()
    client_id = uuid.uuid4()
    record(other, client_id=client_id)

    with pytest.raises(ValidationError) as excinfo:
        record(item, client_id=client_id)

    assert "client_id" in errors_of(excinfo)
    assert SetLog.objects.filter(patient=item.program.patient).count() == 0


@pytest.mark.django_db
def test_the_ladder_level_and_its_exercise_are_copied():
    item = LadderItemFactory(
        program=ProgramFactory(start_date=START),
        previous_level=1,
        current_level=2,
        level_since=TODAY,
    )

    yesterday, _ = record(item, performed_on=date(2026, 3, 2))
    today, _ = record(item)

    assert (yesterday.ladder_level, today.ladder_level) == (1, 2)
    assert yesterday.exercise == item.ladder.levels.get(level=1).exercise
    assert today.exercise == item.ladder.levels.get(level=2).exercise


@pytest.mark.django_db
def test_logs_keep_their_prescription_after_the_program_changes():
    item = make_item(sets=2, reps=10)
    log, _ = record(item, performed_on=date(2026, 3, 2))
    # The therapist edits the dose: the old row ends yesterday and a new one starts today.
    ProgramItem.objects.filter(pk=item.pk).update(active_until=date(2026, 3, 2))
    new = ExerciseItemFactory(
        program=item.program,
        exercise=item.exercise,
        track=item.track,
        sets=3,
        reps=15,
        active_from=TODAY,
    )
    new_log, _ = record(new)

    log.refresh_from_db()
    assert (log.item_id, log.target_sets, log.target_reps) == (item.pk, 2, 10)
    assert (new_log.item_id, new_log.target_sets, new_log.target_reps) == (new.pk, 3, 15)


@pytest.mark.django_db
def test_a_set_logged_on_a_stale_page_goes_to_the_row_in_force_that_day():
    item = make_item(sets=2, reps=10, active_until=date(2026, 3, 2))
    new = ExerciseItemFactory(
        program=item.program,
        exercise=item.exercise,
        track=item.track,
        sets=3,
        reps=15,
        active_from=TODAY,
    )

    log, _ = record(item)  # the phone still shows yesterday's dose

    assert (log.item_id, log.target_reps) == (new.pk, 15)


@pytest.mark.django_db
def test_an_ended_program_keeps_its_logs():
    item = make_item()
    log, _ = record(item)
    item.program.end_date = TODAY
    item.program.is_active = False
    item.program.save(update_fields=["end_date", "is_active"])
    ProgramFactory(patient=item.program.patient, start_date=TODAY)

    log.refresh_from_db()
    assert log.target_reps == 10
    assert log.exercise == item.exercise


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reps": 201}, "reps", "from 0 to 200"),
        ({"reps": -1}, "reps", "from 0 to 200"),
        ({"reps": None}, "reps", "number of reps"),
        ({"pain": 11}, "pain", "from 0 to 10"),
        ({"pain": -1}, "pain", "from 0 to 10"),
        ({"pain": None}, "pain", "Choose how much pain"),
        ({"difficulty": 0}, "difficulty", "from 1"),
        ({"difficulty": 6}, "difficulty", "to 5"),
        ({"hold_seconds": 30}, "hold_seconds", "done in reps"),
        ({"side": Side.BOTH}, "side", "left or right"),
        ({"side": "up"}, "side", "left or right"),
        ({"performed_on": date(2026, 3, 4)}, "performed_on", "has not come yet"),
        ({"performed_on": date(2026, 1, 31)}, "performed_on", "starts on"),
        ({"note": "x" * 501}, "note", "500"),
        ({"set_number": 0}, "set_number", "from 1"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_saved(changes, field, words):
    item = make_item(per_side=True)

    with pytest.raises(ValidationError) as excinfo:
        record(item, **changes)

    assert words in " ".join(errors_of(excinfo)[field])
    assert SetLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "saved"),
    [
        (datetime(2026, 3, 3, 9, 59, tzinfo=UTC), False),  # 23:59 on Tuesday in UTC+14
        (datetime(2026, 3, 3, 10, 0, tzinfo=UTC), True),  # Wednesday has begun there
    ],
)
def test_a_queued_set_may_carry_a_day_begun_somewhere_on_earth_and_no_later(now, saved):
    """From the phone's queue, Wednesday is refused until it has begun in UTC+14; from the
    form, a London patient's Wednesday is refused all Tuesday."""
    item = make_item(per_side=True)
    wednesday = date(2026, 3, 4)

    with pytest.raises(ValidationError):
        record(item, performed_on=wednesday, now=now)
    if saved:
        log, created = record(item, performed_on=wednesday, now=now, queued=True)
        assert created
        assert log.performed_on == wednesday
    else:
        with pytest.raises(ValidationError) as excinfo:
            record(item, performed_on=wednesday, now=now, queued=True)
        assert "has not come yet" in errors_of(excinfo)["performed_on"][0]
        assert not SetLog.objects.exists()


@pytest.mark.django_db
def test_a_hold_item_wants_seconds_not_reps():
    item = make_item(reps=None, hold_seconds=30, per_side=False)

    with pytest.raises(ValidationError) as excinfo:
        record(item, reps=10)
    saved, _ = record(item, hold_seconds=25)

    assert "is a hold" in errors_of(excinfo)["reps"][0]
    assert (saved.hold_seconds, saved.target_hold_seconds, saved.reps) == (25, 30, None)


@pytest.mark.django_db
def test_an_unsided_item_takes_both_and_refuses_a_side():
    item = make_item(per_side=False)

    with pytest.raises(ValidationError) as excinfo:
        record(item, side=Side.LEFT)

    assert "not done per side" in errors_of(excinfo)["side"][0]


@pytest.mark.django_db
def test_an_item_of_another_patient_is_refused():
    mine = make_item()
    theirs = make_item()

    with pytest.raises(ValidationError) as excinfo:
        record(theirs, patient=mine.program.patient)

    assert "item" in errors_of(excinfo)
    assert SetLog.objects.count() == 0


@pytest.mark.django_db
def test_the_future_is_judged_in_the_patients_time_zone():
    # 12:00 UTC on 3 March is already 02:00 on 4 March in Kiritimati (UTC+14).
    patient = PatientFactory(time_zone="Pacific/Kiritimati")
    item = make_item(program=ProgramFactory(patient=patient, start_date=START))

    log, _ = record(item, performed_on=date(2026, 3, 4))

    assert log.performed_on == date(2026, 3, 4)


@pytest.mark.django_db
def test_evaluation_is_enqueued_once_the_log_is_committed(django_capture_on_commit_callbacks):
    item = make_item()
    client_id = uuid.uuid4()

    with (
        mock.patch("apps.programs.logs.dispatch.enqueue_log_evaluation") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        log, _ = record(item, client_id=client_id)
        record(item, client_id=client_id)

    enqueue.assert_called_once_with(log.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_saves_one_row(require_postgres):
    item = make_item()
    client_id = uuid.uuid4()
    barrier = threading.Barrier(2, timeout=10)
    original = logs._prescription
    results, failures = [], []

    def racing_prescription(*args):
        # Both requests have checked their set (nothing is looked up by client id before
        # the insert) and neither has saved it yet.
        found = original(*args)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return found

    local = threading.local()

    def submit():
        try:
            results.append(record(item, client_id=client_id))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    with (
        mock.patch("apps.programs.logs._prescription", side_effect=racing_prescription),
        mock.patch("apps.programs.logs.dispatch.enqueue_log_evaluation") as enqueue,
    ):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)

    assert failures == []
    assert SetLog.objects.filter(client_id=client_id).count() == 1
    assert {log.pk for log, _ in results} == {SetLog.objects.get().pk}
    assert sorted(created for _, created in results) == [False, True]
    enqueue.assert_called_once()
