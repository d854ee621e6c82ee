"""Factories and helpers for the report tests (set logs, signed-in clients)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import factory
from factory.django import DjangoModelFactory

from apps.exercises.models import LadderLevel
from apps.programs.models import SetLog
from tests.factories import ExerciseItemFactory, KeepsDayTotals


def _exercise(log):
    item = log.item
    if item.exercise_id:
        return item.exercise
    level = item.level_on(log.performed_on)
    return LadderLevel.objects.get(ladder_id=item.ladder_id, level=level).exercise


class SetLogFactory(KeepsDayTotals, DjangoModelFactory):
    """One logged set against an item, copying the item's prescription like the app does."""

    class Meta:
        model = SetLog

    client_id = factory.LazyFunction(uuid.uuid4)
    item = factory.SubFactory(ExerciseItemFactory)
    patient = factory.SelfAttribute("item.program.patient")
    performed_on = date(2026, 2, 2)
    side = "both"
    reps = 10
    pain = 2
    exercise = factory.LazyAttribute(_exercise)
    ladder_level = factory.LazyAttribute(lambda o: o.item.level_on(o.performed_on))
    target_sets = factory.SelfAttribute("item.sets")
    target_reps = factory.SelfAttribute("item.reps")
    target_hold_seconds = factory.SelfAttribute("item.hold_seconds")
    target_reps_up_to = factory.SelfAttribute("item.reps_up_to")
    target_hold_up_to = factory.SelfAttribute("item.hold_up_to")
    target_per_side = factory.SelfAttribute("item.per_side")


def log_sets(item, day, count, *, side="both", **extra):
    return [SetLogFactory(item=item, performed_on=day, side=side, **extra) for _ in range(count)]


def parse_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV files start with a UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(text[1:])))


def streamed(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
