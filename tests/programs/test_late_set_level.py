"""A set done on a day before the last two level changes and synced after them (the phone was
offline) is logged at the level of its own day: the item remembers only the last change (the
level before it), so the day's level comes from the history of changes. Logged at a later
level, it would count toward that level's rule, in a stay it was never part of."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.exercises.models import LadderLevel
from apps.notifications.services import set_log_evaluate
from apps.programs.logs import set_log_record
from apps.programs.logs_batch import LogEntry, set_logs_record_many
from apps.programs.models import ProgressionPrompt, SetLog
from apps.programs.prompt_decisions import item_level_set
from tests.factories import LadderItemFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def _on(days):
    return time_machine.travel(MONDAY + timedelta(days=days), tick=False)


@pytest.fixture
def item(therapist_a):
    """Level 1 on Monday; moved to 2 from Tuesday (on Monday), back to 1 from Wednesday (on
    Tuesday, after a flare-up)."""
    with _on(0):
        item = LadderItemFactory(per_side=False, program__patient__therapist=therapist_a)
        item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more.")
    with _on(1):
        item.refresh_from_db()
        item_level_set(item=item, user=therapist_a, level=1, reason="A flare-up: back to 1.")
    item.refresh_from_db()
    return item


def test_a_set_synced_after_two_level_changes_is_logged_at_the_level_of_its_day(item):
    patient = item.program.patient
    with _on(1):  # Tuesday: Monday's set arrives from the phone's queue
        log, _ = set_log_record(
            patient=patient, item=item, client_id=uuid.uuid4(),
            performed_on=MONDAY.date(), side="both", reps=20, pain=1, queued=True,
        )  # fmt: skip
        set_log_evaluate(log_id=log.pk)

    level_one = LadderLevel.objects.get(ladder=item.ladder, level=1)
    assert (log.ladder_level, log.exercise) == (1, level_one.exercise)
    # Monday was the first stay at level 1: its prompt is that stay's, the only one.
    prompt = ProgressionPrompt.objects.get()
    assert (prompt.level, prompt.qualified_on) == (1, MONDAY.date())


def test_a_batch_from_the_phone_logs_each_set_at_the_level_of_its_day(item):
    patient = item.program.patient
    entries = [
        LogEntry(
            client_id=uuid.uuid4(),
            item=item.public_id,
            performed_on=MONDAY.date() + timedelta(d),
            side="both",
            reps=8,
            pain=1,
        )
        for d in (0, 1)
    ]
    with _on(1):
        set_logs_record_many(patient=patient, entries=entries)

    logged = SetLog.objects.filter(patient=patient).order_by("performed_on")
    logged = logged.values_list("performed_on", "ladder_level")
    assert list(logged) == [(MONDAY.date(), 1), (MONDAY.date() + timedelta(1), 2)]
