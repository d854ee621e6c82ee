"""``apps.core.once.request_print``: what a request asked for, kept with the row it made so
that the same key sent again is told apart from a different request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from apps.core.once import request_print


@dataclass
class _Spec:
    sets: int
    on: date


def test_a_print_is_the_same_for_the_same_values_and_differs_field_by_field():
    key = uuid.uuid4()
    first = request_print(key, name="Hips", spec=_Spec(3, date(2026, 3, 1)), days=[0, 2])

    assert request_print(key, name="Hips", spec=_Spec(3, date(2026, 3, 1)), days=[0, 2]) == first
    changed = request_print(key, name="Hips", spec=_Spec(4, date(2026, 3, 1)), days=[0, 2])
    assert changed is not None
    assert first is not None
    assert [name for name in first if first[name] != changed[name]] == ["spec"]


def test_a_print_keeps_no_value_and_none_is_made_without_a_key():
    made = request_print(uuid.uuid4(), name="Nia Okafor")

    assert made is not None
    assert "Nia" not in made["name"]
    assert request_print(None, name="Nia Okafor") is None


def test_the_same_value_under_two_keys_is_not_the_same_digest():
    assert request_print(uuid.uuid4(), year=1970) != request_print(uuid.uuid4(), year=1970)
