"""Reads of the exercise library."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from apps.exercises.models import EvidenceValue


def primary_mvic(*, exercise_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Each exercise's %MVIC per muscle in the primary study (Boren 2011), in one query.

    A muscle the study did not report is absent from the inner dict: show "not reported",
    never zero.
    """
    result: dict[int, dict[str, Decimal]] = {}
    rows = EvidenceValue.objects.filter(
        exercise_id__in=list(exercise_ids), study__is_primary=True, clinic__isnull=True
    ).values_list("exercise_id", "muscle", "mvic_percent")
    for exercise_id, muscle, value in rows:
        result.setdefault(exercise_id, {})[muscle] = value
    return result
