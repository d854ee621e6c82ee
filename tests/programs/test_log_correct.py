"""set_log_correct and set_log_delete: allowed for 24 hours after logged_at, then locked."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from apps.programs.logs import set_log_correct, set_log_delete, set_log_record
from apps.programs.models import SetLog
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

LOGGED = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def log():
    item = ExerciseItemFactory(program=ProgramFactory(start_date=date(2026, 2, 1)), per_side=True)
    with time_machine.travel(LOGGED, tick=False):
        saved, _ = set_log_record(
            patient=item.program.patient,
            item=item,
            client_id=uuid.uuid4(),
            performed_on=date(2026, 3, 3),
            side="left",
            reps=10,
            pain=2,
        )
    SetLog.objects.filter(pk=saved.pk).update(evaluated_at=LOGGED)
    saved.refresh_from_db()
    return saved


def test_a_correction_within_24_hours_changes_what_was_done(
    log, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(LOGGED + timedelta(hours=23, minutes=59), tick=False),
        mock.patch("apps.programs.logs.dispatch.enqueue_log_evaluation") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        set_log_correct(log=log, reps=20, pain=4, difficulty=3, note="harder")

    log.refresh_from_db()
    assert (log.reps, log.pain, log.difficulty, log.note) == (20, 4, 3, "harder")
    assert log.target_reps == 10
    # The corrected set is evaluated again (20 reps may now earn a progression prompt).
    assert log.evaluated_at is None
    enqueue.assert_called_once_with(log.pk)


def test_a_correction_after_24_hours_is_refused(log):
    with (
        time_machine.travel(LOGGED + timedelta(hours=24, seconds=1), tick=False),
        pytest.raises(ValidationError) as excinfo,
    ):
        set_log_correct(log=log, reps=20, pain=4)

    assert "locked" in " ".join(excinfo.value.messages)
    log.refresh_from_db()
    assert log.reps == 10


def test_a_bad_correction_changes_nothing(log):
    with (
        time_machine.travel(LOGGED + timedelta(hours=1), tick=False),
        pytest.raises(ValidationError) as excinfo,
    ):
        set_log_correct(log=log, reps=300, pain=4)

    assert "reps" in excinfo.value.message_dict
    log.refresh_from_db()
    assert (log.reps, log.pain) == (10, 2)


def test_a_delete_within_24_hours_removes_the_set(log):
    with time_machine.travel(LOGGED + timedelta(hours=23), tick=False):
        set_log_delete(log=log)

    assert not SetLog.objects.exists()


def test_a_delete_after_24_hours_is_refused(log):
    with (
        time_machine.travel(LOGGED + timedelta(days=2), tick=False),
        pytest.raises(ValidationError),
    ):
        set_log_delete(log=log)

    assert SetLog.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda log: set_log_correct(log=log, reps=12, pain=3),
        lambda log: set_log_delete(log=log),
    ],
    ids=["correct", "delete"],
)
def test_a_set_deleted_by_a_simultaneous_request_is_a_404_not_a_500(log, change):
    # The other request (a double-tapped delete) deleted the row after this one read it.
    SetLog.objects.filter(pk=log.pk).delete()

    with time_machine.travel(LOGGED + timedelta(hours=1), tick=False), pytest.raises(Http404):
        change(log)

    assert not SetLog.objects.exists()


def test_a_correction_of_the_pain_records_when_and_one_of_the_reps_only_does_not(log):
    """A pain alert shows the pain a patient corrected, and when (``pain_corrected_at``)."""
    later = LOGGED + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        set_log_correct(log=log, reps=10, pain=7)
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        set_log_correct(log=log, reps=12, pain=7)

    log.refresh_from_db()
    assert (log.pain, log.reps, log.pain_corrected_at) == (7, 12, later)
