"""Property: after any sequence of logs, corrections, deletions, program edits and time-zone
changes made through the services, the daily totals equal the reference computed from the
set logs (a zone change writes no total: ``apps.programs.daily_totals``).

The reference is ``adherence.daily_adherence`` (which walks the program rows day by day in
Python over the grouped logs) plus the logs' pain sum; a rebuild from scratch must also find
nothing to change. A writer that forgets to refresh the totals fails here.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.clinics.models import User
from apps.exercises.models import Exercise
from apps.patients.models import Patient, Side
from apps.patients.reminder_choice import patient_reminders_choose
from apps.programs.daily_totals import daily_totals_rebuild
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_services import (
    ItemSpec,
    program_item_add,
    program_item_remove,
    program_item_update,
)
from apps.programs.logs import set_log_correct, set_log_delete, set_log_record
from apps.programs.models import ProgramItem, SetLog
from apps.programs.services import program_create
from tests.factories import ExerciseFactory, ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.daily_totals_reference import Row, reference_totals, stored_totals

HISTORY_DAYS = 12
ZONES = ["Europe/London", "Pacific/Kiritimati", "America/Los_Angeles"]

DAYS_AGO = st.integers(min_value=0, max_value=HISTORY_DAYS)
WEEKDAYS = st.sets(st.integers(min_value=0, max_value=6), min_size=1)
PICK = st.integers(min_value=0, max_value=50)  # an index, taken modulo what exists

OPERATIONS = st.one_of(
    st.tuples(st.just("log"), PICK, DAYS_AGO, st.sampled_from(list(Side)), st.integers(0, 10)),
    st.tuples(st.just("correct"), PICK, st.integers(0, 10)),
    st.tuples(st.just("delete"), PICK),
    st.tuples(st.just("dose"), PICK, st.integers(1, 4), st.booleans()),
    st.tuples(st.just("add"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("remove"), PICK),
    st.tuples(st.just("weekdays"), WEEKDAYS),
    st.tuples(st.just("program"), DAYS_AGO, WEEKDAYS, st.integers(1, 3)),
    st.tuples(st.just("zone"), st.sampled_from(ZONES)),
)


class World:
    """One patient with a program started ``HISTORY_DAYS`` ago, and the services to drive."""

    def __init__(self, zone: str, mask: set[int]) -> None:
        self.patient: Patient = cast(Patient, PatientFactory(time_zone=zone))
        self.actor: User = self.patient.therapist
        self.today = self.patient.local_today()
        start = self.today - timedelta(days=HISTORY_DAYS)
        weekdays = sum(1 << day for day in mask)
        self.program = ProgramFactory(patient=self.patient, start_date=start, weekdays=weekdays)
        ExerciseItemFactory(program=self.program, sets=2, per_side=True)
        ExerciseItemFactory(program=self.program, sets=3, per_side=False)
        self.exercise = cast(Exercise, ExerciseFactory(clinic=self.patient.clinic))

    def items(self) -> list[ProgramItem]:
        rows = ProgramItem.objects.filter(program__patient=self.patient).select_related("program")
        return list(rows.order_by("pk"))

    def logs(self) -> list[SetLog]:
        return list(SetLog.objects.filter(patient=self.patient).order_by("pk"))

    def apply(self, operation: tuple[Any, ...]) -> None:
        # A refused operation is refused as a whole: the services leave nothing half-written.
        with contextlib.suppress(ValidationError):
            getattr(self, f"_{operation[0]}")(*operation[1:])

    def _log(self, pick: int, days_ago: int, side: str, pain: int) -> None:
        items = self.items()
        item = items[pick % len(items)]
        set_log_record(
            patient=self.patient, item=item, client_id=uuid.uuid4(),
            performed_on=self.today - timedelta(days=days_ago), side=side, pain=pain,
            reps=None if item.reps is None else 10,
            hold_seconds=None if item.reps is not None else 20,
        )  # fmt: skip

    def _correct(self, pick: int, pain: int) -> None:
        logs = self.logs()
        if logs:
            log = logs[pick % len(logs)]
            set_log_correct(log=log, pain=pain, reps=log.reps, hold_seconds=log.hold_seconds)

    def _delete(self, pick: int) -> None:
        logs = self.logs()
        if logs:
            set_log_delete(log=logs[pick % len(logs)])

    def _dose(self, pick: int, sets: int, per_side: bool) -> None:
        items = self.items()
        item = items[pick % len(items)]
        program_item_update(
            actor=self.actor, item=item, sets=sets, reps=item.reps,
            hold_seconds=item.hold_seconds, per_side=per_side, rest_seconds=item.rest_seconds,
        )  # fmt: skip

    def _add(self, sets: int, per_side: bool) -> None:
        spec = ItemSpec(exercise=self.exercise, sets=sets, per_side=per_side)
        program_item_add(actor=self.actor, program=self.items()[0].program, spec=spec)

    def _remove(self, pick: int) -> None:
        items = self.items()
        program_item_remove(actor=self.actor, item=items[pick % len(items)])

    def _weekdays(self, mask: set[int]) -> None:
        program = self.items()[-1].program
        program_schedule_update(
            actor=self.actor, program=program, weekdays=sorted(mask),
            start_date=program.start_date, end_date=program.end_date,
        )  # fmt: skip

    def _program(self, days_ago: int, mask: set[int], sets: int) -> None:
        # A second program starting in the past prescribes on days already logged.
        program_create(
            actor=self.actor, name="Second", patient=self.patient, weekdays=sorted(mask),
            start_date=self.today - timedelta(days=days_ago), activate=True,
            items=[ItemSpec(exercise=self.exercise, sets=sets, per_side=False)],
        )  # fmt: skip

    def _zone(self, zone: str) -> None:
        # The patient travels: a day apart at most, moving a logged day past their new today.
        patient_reminders_choose(
            patient=self.patient, reminders_enabled=self.patient.reminders_enabled,
            reminder_time=self.patient.reminder_time, time_zone=zone,
        )  # fmt: skip


def _reference(world: World) -> dict[Any, Row]:
    return reference_totals(
        world.patient, start=world.today - timedelta(days=HISTORY_DAYS), end=world.today
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    mask=WEEKDAYS,
    operations=st.lists(OPERATIONS, min_size=1, max_size=25),
)
def test_daily_totals_always_equal_the_reference(db, zone, mask, operations):
    world = World(zone, mask)
    for operation in operations:
        world.apply(operation)
        # Checked after every step: a writer that skipped its refresh is named by the step.
        today = world.patient.local_today()
        assert stored_totals(world.patient, today) == _reference(world), operation

    # Every row, those past a moved patient's today included, is what the logs make it.
    before = stored_totals(world.patient)
    daily_totals_rebuild(patient_ids=[world.patient.pk])
    assert stored_totals(world.patient) == before
    assert stored_totals(world.patient, world.patient.local_today()) == _reference(world)
