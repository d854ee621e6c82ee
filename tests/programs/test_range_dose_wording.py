"""A range dose ("10 to 20 reps, building up toward 20") reads as prescribed everywhere, not
only on Today and in the builder: the patient's History and *Change a set* page, and the
therapist's progress log. A logged set keeps the top of the range it was prescribed with, so
a later change to the program does not rewrite what the patient was told.

Time is frozen at Thursday 5 March 2026, 12:00 UTC (the same day in London)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.programs.doses import dose_summary, patient_dose
from apps.programs.logs import set_log_record
from apps.programs.models import ProgramItem, SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=ZoneInfo("UTC"))
MON = date(2026, 3, 2)
TUE = date(2026, 3, 3)
PATIENT_WORDS = "2 sets of 10 to 20 reps on each side, building up toward 20"
STAFF_WORDS = "2 sets of 10\N{EN DASH}20 reps per side"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def range_item(patient_a) -> ProgramItem:
    program = ProgramFactory(patient=patient_a, start_date=MON)
    exercise = ExerciseFactory(name="Clam")
    item = ExerciseItemFactory(program=program, exercise=exercise, reps=10, reps_up_to=20)
    return cast(ProgramItem, item)


def _log(item: ProgramItem, reps: int = 15) -> SetLog:
    assert item.program.patient is not None
    log, _ = set_log_record(
        patient=item.program.patient, item=item, client_id=uuid.uuid4(), performed_on=TUE,
        side="left", reps=reps, pain=2,
    )  # fmt: skip
    return log


def test_the_words_are_todays(range_item):
    # The pages below must say what Today says (and the builder, for the therapist).
    assert patient_dose(range_item).startswith(PATIENT_WORDS)
    assert dose_summary(range_item).startswith(STAFF_WORDS)


def test_a_logged_set_keeps_the_top_of_its_range(range_item):
    log = _log(range_item)

    assert (log.target_reps, log.target_reps_up_to, log.target_hold_up_to) == (10, 20, None)


def test_history_says_the_range(patient_a, range_item):
    _log(range_item)

    page = signed_in(patient_a.user).get("/history/")

    assert f"Planned: {PATIENT_WORDS}" in page.text


def test_the_change_a_set_page_says_the_range_prescribed_then(patient_a, range_item):
    log = _log(range_item)
    range_item.reps, range_item.reps_up_to = 12, None  # changed after the set was logged
    range_item.save(update_fields=["reps", "reps_up_to"])

    page = signed_in(patient_a.user).get(f"/today/logs/{log.public_id}/")

    assert page.status_code == 200
    assert f"Prescribed: {PATIENT_WORDS}." in page.text


def test_the_progress_log_says_the_range(therapist_a, patient_a, range_item):
    _log(range_item)

    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/progress/")

    assert f"<td>{STAFF_WORDS}</td>" in page.text


def test_sets_logged_before_are_given_their_range_only_while_the_item_still_has_that_dose(
    range_item,
):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    same = _log(range_item)
    changed = _log(range_item)
    SetLog.objects.filter(pk=changed.pk).update(target_reps=8)  # the item said 8 back then
    before, after = (
        ("programs", "0019_prompt_counted_from"),
        ("programs", "0020_setlog_target_up_to"),
    )
    with connection.cursor() as cursor:  # the logs' deferred checks first: then ALTER TABLE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        MigrationExecutor(connection).migrate([before])
        MigrationExecutor(connection).migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    same.refresh_from_db()
    changed.refresh_from_db()
    assert (same.target_reps_up_to, changed.target_reps_up_to) == (20, None)
