"""A database from before the daily totals (set logs, no totals) migrated to the latest schema
ends with the totals the reference computes: for a patient without precautions, one whose hip
precautions hold exercises back (a ladder level, a clinic exercise with no movements
recorded), and one whose precautions were ended early.

The data is written with the historical models of the state just before the backfill, as the
code of that time would have: the migrations in between must not run today's code against
that older schema."""

from __future__ import annotations

import importlib
import uuid
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.patients.models import Patient
from apps.programs.models import DailyTotal
from tests.factories import LadderItemFactory
from tests.programs.adherence_factories import SetLogFactory
from tests.programs.daily_totals_reference import Row, reference_totals, stored_totals

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]

JUST_BEFORE = [("programs", "0009_daily_totals"), ("patients", "0005_hip_precautions")]
HISTORY_DAYS = 12
PROJECT_APPS = {
    config.label for config in django_apps.get_app_configs() if config.name.startswith("apps.")
}


class OldDatabase:
    """Rows written through the historical models of the state just before the backfill."""

    def __init__(self, apps: Any) -> None:
        self.apps = apps
        self.today = timezone.now().date()  # the patients live in UTC
        self.clinic = apps.get_model("clinics", "Clinic").objects.create(name="Old clinic")
        self.therapist = self._user("therapist")
        self.free = self._exercise("squeeze", hip_movements=[])
        self.flexion = self._exercise("deep-squat", hip_movements=["flexion_beyond_90"])
        # A clinic's own exercise with no movements recorded: held back under precautions now.
        self.unrecorded = self._exercise("own", clinic=self.clinic)
        self.ladder = apps.get_model("exercises", "Ladder").objects.create(key="l", name="Ladder")
        level = apps.get_model("exercises", "LadderLevel").objects
        level.create(ladder=self.ladder, level=1, exercise=self.free)
        level.create(ladder=self.ladder, level=2, exercise=self.flexion)

    def _exercise(self, key: str, **fields: Any) -> Any:
        return self.apps.get_model("exercises", "Exercise").objects.create(
            key=key, name=key, position="standing", movement=key, default_reps=10, **fields
        )

    def _user(self, name: str) -> Any:
        return self.apps.get_model("clinics", "User").objects.create(
            email=f"{name}@example.com", full_name=name, role="therapist", clinic=self.clinic
        )

    def patient(self, name: str) -> Any:
        patient = self.apps.get_model("patients", "Patient").objects.create(
            full_name=name, year_of_birth=1950, clinic=self.clinic, therapist=self.therapist,
            user=self._user(name), time_zone="UTC",
        )  # fmt: skip
        program = self.apps.get_model("programs", "Program").objects.create(
            name="Hip", clinic=self.clinic, created_by=self.therapist, patient=patient,
            start_date=self.today - timedelta(days=HISTORY_DAYS), weekdays=0b1010111,
        )  # fmt: skip
        item = self.apps.get_model("programs", "ProgramItem").objects
        # The ladder reached its flexion level four days ago: held back from then on.
        since = self.today - timedelta(days=4)
        one_side = {"program": program, "reps": 10, "per_side": False, "level_since": since}
        items = [
            item.create(program=program, exercise=self.free, sets=2, reps=10, per_side=True),
            item.create(exercise=self.flexion, sets=3, **one_side),
            item.create(
                exercise=self.flexion, sets=1, precaution_override="Surgeon allows", **one_side
            ),
            item.create(exercise=self.unrecorded, sets=2, **one_side),
            item.create(ladder=self.ladder, current_level=2, previous_level=1, **one_side),
        ]
        self._logs(patient, items)
        return patient

    def _logs(self, patient: Any, items: list[Any]) -> None:
        log = self.apps.get_model("programs", "SetLog").objects
        for days_ago in range(1, HISTORY_DAYS, 2):
            day = self.today - timedelta(days=days_ago)
            for n, item in enumerate(items):
                exercise = item.exercise or (self.flexion if days_ago < 4 else self.free)
                for side in ["left", "right", "left"][: 1 + (days_ago + n) % 3]:
                    log.create(
                        patient=patient, item=item, exercise=exercise, client_id=uuid.uuid4(),
                        performed_on=day, side=side if item.per_side else "both",
                        pain=(days_ago + n) % 6, target_sets=item.sets, reps=10,
                        target_per_side=item.per_side,
                    )  # fmt: skip

    def precaution(self, patient: Any, *, starts_ago: int, ended_ago: int | None = None) -> None:
        self.apps.get_model("patients", "HipPrecaution").objects.create(
            patient=patient, kind="posterior", starts_on=self.today - timedelta(days=starts_ago),
            ends_on=self.today + timedelta(days=40),
            ended_at=None if ended_ago is None else timezone.now() - timedelta(days=ended_ago),
        )  # fmt: skip


def _before(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """Every app of the project as it stood just before the backfill: its last migration
    needed by ``JUST_BEFORE``, or none. Moving only programs back would leave the other apps
    at their latest schema, where the code of today would run without a hitch."""
    graph = executor.loader.graph
    needed = {node for target in JUST_BEFORE for node in graph.forwards_plan(target)}
    ours = sorted({app for app, _ in graph.nodes if app in PROJECT_APPS})
    return [
        (app, max((name for label, name in needed if label == app), default=None)) for app in ours
    ]


def _reference(patient: Patient) -> dict[date, Row]:
    today = patient.local_today()
    return reference_totals(patient, start=today - timedelta(days=HISTORY_DAYS), end=today)


def test_an_old_database_with_logs_migrates_to_the_reference_totals():
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        before = _before(MigrationExecutor(connection))
        MigrationExecutor(connection).migrate(before)
        state = MigrationExecutor(connection).loader.project_state([t for t in before if t[1]])
        old = OldDatabase(state.apps)
        ids = [old.patient("No precautions").pk]
        held = old.patient("Precautions in force")
        old.precaution(held, starts_ago=7)
        ended = old.patient("Precautions ended early")
        old.precaution(ended, starts_ago=9, ended_ago=3)
        ids += [held.pk, ended.pk]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    for patient in Patient.objects.filter(pk__in=ids):
        reference = _reference(patient)
        assert len(reference) == HISTORY_DAYS // 2, patient.full_name
        assert stored_totals(patient) == reference, patient.full_name
    # The precautions did hold something back: the test covers the held-back path.
    assert stored_totals(Patient.objects.get(pk=ids[0])) != stored_totals(
        Patient.objects.get(pk=ids[1])
    )


def _rebuild_migration() -> Any:
    return importlib.import_module("apps.programs.migrations.0025_daily_totals_rebuild")


def test_a_database_with_its_totals_is_not_rebuilt_by_the_last_migration():
    """Every earlier rebuild ran: a whole rebuild inside the migration would hold every
    write to the totals for as long as it takes on a clinic's millions of logs."""
    SetLogFactory(item=LadderItemFactory(per_side=False), performed_on=timezone.localdate())
    total = DailyTotal.objects.get()
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(executor.loader.graph.leaf_nodes())
    with (
        connection.schema_editor() as editor,
        mock.patch("apps.programs.daily_totals.daily_totals_rebuild") as rebuild,
    ):
        _rebuild_migration().rebuild(state.apps, editor)

    rebuild.assert_not_called()
    assert DailyTotal.objects.get() == total


def test_emptied_totals_are_rebuilt_by_the_last_migration():
    """What 0010, 0011 and 0021 leave where they run now: logs, and no totals."""
    log = SetLogFactory(item=LadderItemFactory(per_side=False), performed_on=timezone.localdate())
    DailyTotal.objects.all().delete()
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(executor.loader.graph.leaf_nodes())
    with connection.schema_editor() as editor:
        _rebuild_migration().rebuild(state.apps, editor)

    assert DailyTotal.objects.get().patient_id == log.patient_id
