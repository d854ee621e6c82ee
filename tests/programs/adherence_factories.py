"""Factories for set logs and prompts used by the adherence, dashboard and progress tests."""

from __future__ import annotations

import uuid

import factory
from factory.django import DjangoModelFactory

from apps.patients.models import Side
from apps.programs.models import ProgressionPrompt, SetLog
from tests.factories import KeepsDayTotals


class SetLogFactory(KeepsDayTotals, DjangoModelFactory):
    """A set logged against ``item``, copying its prescription as the logging service does."""

    class Meta:
        model = SetLog

    client_id = factory.LazyFunction(uuid.uuid4)
    item = None
    patient = factory.LazyAttribute(lambda o: o.item.program.patient)
    side = factory.LazyAttribute(lambda o: Side.LEFT if o.item.per_side else Side.BOTH)
    reps = 10
    pain = 2
    exercise = factory.LazyAttribute(
        lambda o: o.item.exercise or o.item.ladder.levels.get(level=o.item.current_level).exercise
    )
    ladder_level = factory.LazyAttribute(lambda o: o.item.current_level)
    target_sets = factory.LazyAttribute(lambda o: o.item.sets)
    target_reps = factory.LazyAttribute(lambda o: o.item.reps)
    target_per_side = factory.LazyAttribute(lambda o: o.item.per_side)


def log_sets(item, day, count=1, side=None, **extra):
    """``count`` logs of ``item`` on ``day`` (on ``side``, default left or both)."""
    if side is not None:
        extra["side"] = side
    return [
        SetLogFactory(item=item, performed_on=day, set_number=n + 1, **extra) for n in range(count)
    ]


def log_both_sides(item, day, count=1, **extra):
    return log_sets(item, day, count, Side.LEFT, **extra) + log_sets(
        item, day, count, Side.RIGHT, **extra
    )


class PromptFactory(DjangoModelFactory):
    class Meta:
        model = ProgressionPrompt

    item = None
    patient = factory.LazyAttribute(lambda o: o.item.program.patient)
    track = factory.LazyAttribute(lambda o: o.item.track)
    level = factory.LazyAttribute(lambda o: o.item.current_level or 1)
    next_level = factory.LazyAttribute(lambda o: o.level + 1)
