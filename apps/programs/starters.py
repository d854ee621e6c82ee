"""Starter programs: read-only templates from the evidence that every clinic sees.

They live in ``apps/programs/data/starters.toml``, shipped with the code, so a clean checkout
and ``make run`` have them without loading anything, and no clinic can change them. A clinic
copies one into its own templates (``starter_copy``) or starts a program from one; both
become ordinary clinic programs built from the shared library's exercises and ladders.

Each item keeps the dose as the evidence gives it (ranges, "to fatigue"); starting a program
maps it onto the item's dose model (``starter_services``): a rep or hold range, or "to
fatigue, up to N" with the hold in each rep. Ranges of sets and of rest have no field and
stay in the item's note.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "starters.toml"
CHOICE_PREFIX = "starter:"


class StarterDataError(ValueError):
    """starters.toml is inconsistent; the message names the starter and item."""


@dataclass(frozen=True)
class StarterItem:
    exercise: str = ""  # a shared library exercise key, or
    ladder: str = ""  # a shared library ladder key, started at ``level``
    level: int | None = None
    sets: int = 2
    reps: int | None = None
    hold_seconds: int | None = None
    rest_seconds: int | None = None  # None: the exercise's default
    per_side: bool | None = None  # None: the exercise's default
    # The dose as the evidence gives it (see the data file's header).
    sets_up_to: int | None = None
    reps_up_to: int | None = None
    hold_up_to: int | None = None
    rest_up_to: int | None = None
    to_fatigue: bool = False
    fatigue_cap: int | None = None
    advance_at_reps: int | None = None
    dose_text: str = ""
    source: str = ""


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    summary: str
    source: str
    items: tuple[StarterItem, ...]
    caution: str = ""

    @property
    def choice(self) -> str:
        """The value a form uses for it beside clinic templates' ids."""
        return f"{CHOICE_PREFIX}{self.key}"


_ITEM_FIELDS = {f.name for f in fields(StarterItem)}


def _item(entry: dict[str, Any], where: str) -> StarterItem:
    unknown = set(entry) - _ITEM_FIELDS
    if unknown:
        raise StarterDataError(f"{where}: unknown fields {sorted(unknown)}")
    item = StarterItem(**entry)
    if bool(item.exercise) == bool(item.ladder):
        raise StarterDataError(f"{where}: give an exercise or a ladder")
    if item.ladder and not item.level:
        raise StarterDataError(f"{where}: a ladder needs its starting level")
    if (item.reps is None) == (item.hold_seconds is None):
        raise StarterDataError(f"{where}: give reps or hold_seconds")
    if not item.dose_text or not item.source:
        raise StarterDataError(f"{where}: say the dose in words and where it comes from")
    return item


def _starter(entry: dict[str, Any]) -> Starter:
    key = entry.get("key", "?")
    items = tuple(
        _item(item, f"starter {key!r} item {n}") for n, item in enumerate(entry["items"], 1)
    )
    values = {k: v for k, v in entry.items() if k != "items"}
    return Starter(items=items, **values)


def load_starters(path: Path = DATA_FILE) -> tuple[Starter, ...]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    starters = tuple(_starter(entry) for entry in data["starters"])
    keys = [starter.key for starter in starters]
    if len(set(keys)) != len(keys):
        raise StarterDataError("starter keys must be unique")
    return starters


@cache
def all_starters() -> tuple[Starter, ...]:
    """Every starter program, in the file's order (read once per process)."""
    return load_starters()


def starter_by_key(key: str) -> Starter | None:
    return next((starter for starter in all_starters() if starter.key == key), None)


def starter_for_choice(value: str) -> Starter | None:
    if not value.startswith(CHOICE_PREFIX):
        return None
    return starter_by_key(value.removeprefix(CHOICE_PREFIX))
