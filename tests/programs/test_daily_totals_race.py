"""Two writers logging for the same patient and day at the same moment both count.

Real threads, each with its own PostgreSQL connection. Writer A saves its set and holds its
transaction open; writer B saves another set of the same day and is seen waiting on a lock;
then A commits. Without the per-patient lock B's upsert, computed from a snapshot without
A's uncommitted set, would overwrite A's row with a count lacking it."""

from __future__ import annotations

import uuid

import pytest

from apps.patients.models import Side
from apps.programs.logs import set_log_record
from apps.programs.models import DailyTotal, SetLog
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.races import race


def _log(patient, item, pain: int) -> None:
    set_log_record(
        patient=patient, item=item, client_id=uuid.uuid4(), performed_on=patient.local_today(),
        side=Side.BOTH, pain=pain, reps=10,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_sets_logged_at_once_for_the_same_day_are_both_in_the_total(require_postgres):
    patient = PatientFactory()
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient), sets=3, per_side=False)
    race(lambda: _log(patient, item, pain=3), lambda: _log(patient, item, pain=5))

    row = DailyTotal.objects.get(patient=patient, day=patient.local_today())
    assert (row.logs, row.completed, row.pain_sum, row.pain_max) == (2, 2, 8, 5)


def _batch(patient, item, pain: int) -> None:
    from apps.programs.logs_batch import LogEntry, set_logs_record_many

    entry = LogEntry(client_id=uuid.uuid4(), item=item.public_id, pain=pain, reps=10)
    set_logs_record_many(patient=patient, entries=[entry])


@pytest.mark.parametrize("second", [_log, _batch], ids=["one-tap", "offline batch"])
@pytest.mark.django_db(transaction=True)
def test_two_sets_logged_at_once_get_their_own_set_numbers(require_postgres, second):
    """The phone sends no set number: the server counts the sets already logged. Writer A
    logs set 1 and holds its transaction open; writer B (another phone, or an offline
    batch) logs the same exercise, day and side and is seen waiting; A commits. B counts
    A's set: 1 and 2, never 1 twice."""
    patient = PatientFactory()
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient), sets=3, per_side=False)
    race(lambda: _log(patient, item, pain=3), lambda: second(patient, item, pain=2))

    numbers = SetLog.objects.filter(item=item).order_by("pain").values_list("pain", "set_number")
    assert list(numbers) == [(2, 2), (3, 1)]
