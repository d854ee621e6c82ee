"""Reads for starter programs: each with its exercises' names, for the cards staff see."""

from __future__ import annotations

from dataclasses import dataclass

from apps.exercises.models import Exercise, Ladder
from apps.programs.starters import Starter, StarterItem, all_starters


@dataclass(frozen=True)
class StarterLine:
    name: str  # the exercise, or "<ladder>, from level N"
    dose: str
    source: str


@dataclass(frozen=True)
class StarterCard:
    starter: Starter
    lines: tuple[StarterLine, ...]
    available: bool  # every exercise and ladder is in the loaded shared library


def _line(item: StarterItem, exercises: dict[str, str], ladders: dict[str, str]) -> StarterLine:
    if item.ladder:
        name = f"{ladders.get(item.ladder, item.ladder)}, from level {item.level}"
    else:
        name = exercises.get(item.exercise, item.exercise)
    return StarterLine(name=name, dose=item.dose_text, source=item.source)


def starter_cards() -> list[StarterCard]:
    """Every starter with the shared library's names: two queries whatever their number."""
    starters = all_starters()
    exercises = dict(
        Exercise.objects.filter(
            clinic=None, key__in={i.exercise for s in starters for i in s.items if i.exercise}
        ).values_list("key", "name")
    )
    ladders = dict(
        Ladder.objects.filter(
            clinic=None, key__in={i.ladder for s in starters for i in s.items if i.ladder}
        ).values_list("key", "name")
    )
    cards = []
    for starter in starters:
        lines = tuple(_line(item, exercises, ladders) for item in starter.items)
        available = all(
            (item.exercise in exercises) if item.exercise else (item.ladder in ladders)
            for item in starter.items
        )
        cards.append(StarterCard(starter=starter, lines=lines, available=available))
    return cards
