"""Factories for set logs and the primary evidence the prompt emails quote."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.exercises.models import EvidenceValue, LadderLevel, Study
from apps.patients.models import Side
from apps.programs.models import SetLog
from tests.factories import KeepsDayTotals, LadderItemFactory


def _exercise(log) -> object:
    if log.item.exercise_id is not None:
        return log.item.exercise
    return LadderLevel.objects.get(ladder=log.item.ladder, level=log.ladder_level).exercise


class SetLogFactory(KeepsDayTotals, DjangoModelFactory):
    """A set logged against an item, copying its prescription as the log service does."""

    class Meta:
        model = SetLog

    item = factory.SubFactory(LadderItemFactory)
    patient = factory.LazyAttribute(lambda o: o.item.program.patient)
    client_id = factory.LazyFunction(uuid.uuid4)
    performed_on = factory.LazyAttribute(lambda o: o.patient.local_today())
    side = Side.BOTH
    reps = 10
    pain = 2
    ladder_level = factory.LazyAttribute(lambda o: o.item.level_on(o.performed_on))
    exercise = factory.LazyAttribute(_exercise)
    target_sets = factory.SelfAttribute("item.sets")
    target_reps = factory.SelfAttribute("item.reps")
    target_per_side = factory.SelfAttribute("item.per_side")


def add_primary_mvic(exercise, confidence: str = "source-document", **values: str) -> None:
    """Give an exercise Boren 2011 values, e.g. ``gluteus_medius="47"``."""
    study, _ = Study.objects.get_or_create(
        key="boren-2011",
        clinic=None,
        defaults={
            "short_name": "Boren 2011",
            "citation": "Boren K et al. 2011",
            "is_primary": True,
        },
    )
    for muscle, value in values.items():
        EvidenceValue.objects.create(
            exercise=exercise,
            study=study,
            muscle=muscle,
            mvic_percent=Decimal(value),
            confidence=confidence,
        )
