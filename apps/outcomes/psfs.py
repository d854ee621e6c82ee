"""A PSFS's activities. The patient names 3 to 5 at the program's first PSFS and re-rates the
same ones at every later one. Until that first PSFS is sent its names are a draft: saved as
they stand (fewer than three too, so nothing the patient did is lost), editable, and each
saved rating stays with its activity's name when the names change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from apps.outcomes.instruments import PSFS_MAX_ACTIVITIES, PSFS_MIN_ACTIVITIES, Code
from apps.outcomes.models import Answer, Questionnaire
from apps.outcomes.selectors import baseline_activities

ACTIVITY_MAX_LENGTH = 80


def _clean(names: Sequence[Any], *, sending: bool) -> list[str]:
    cleaned = [str(name).strip() for name in names if str(name).strip()]
    fewest = PSFS_MIN_ACTIVITIES if sending else 0
    if not fewest <= len(cleaned) <= PSFS_MAX_ACTIVITIES:
        raise ValidationError(
            {"activities": [f"Name {PSFS_MIN_ACTIVITIES} to {PSFS_MAX_ACTIVITIES} activities."]}
        )
    if any(len(name) > ACTIVITY_MAX_LENGTH for name in cleaned):
        raise ValidationError(
            {"activities": [f"Keep each activity to {ACTIVITY_MAX_LENGTH} characters or fewer."]}
        )
    return cleaned


def activities_for(
    questionnaire: Questionnaire, names: Sequence[Any] | None, *, sending: bool
) -> list[str]:
    """The activities to keep: the baseline's once there is one, else the names given (or
    those saved so far); three at least when the questionnaire is being sent."""
    if questionnaire.instrument != Code.PSFS:
        return []
    baseline = baseline_activities(questionnaire)
    if baseline:
        if names and [str(n).strip() for n in names] != baseline:
            raise ValidationError(
                {"activities": ["Rate the same activities as the first time; names stay."]}
            )
        return baseline
    return _clean(questionnaire.activities if names is None else names, sending=sending)


def by_slot(
    questionnaire: Questionnaire, activities: Sequence[Any] | None, answers: Mapping[str, Any]
) -> tuple[Sequence[Any] | None, Mapping[str, Any]]:
    """The first PSFS as the patient filled its slots: ``activity_<n>`` rates the activity
    named in slot n, so when a slot is left empty (4 of 5) the named ones close up and each
    rating moves with its activity. A rating of an empty slot is refused."""
    if questionnaire.instrument != Code.PSFS or activities is None:
        return activities, answers
    slots = [str(name).strip() for name in activities]
    for n, name in enumerate(slots, start=1):
        if not name and answers.get(f"activity_{n}") is not None:
            raise ValidationError(
                {f"activity_{n}": [f"You rated activity {n} without naming it: name it."]}
            )
    named = [n for n, name in enumerate(slots, start=1) if name]
    moved = {f"activity_{old}": f"activity_{new}" for new, old in enumerate(named, start=1)}
    return [slots[n - 1] for n in named], {moved.get(k, k): v for k, v in answers.items()}


def carry_ratings(questionnaire: Questionnaire, names: Sequence[str]) -> None:
    """Before a draft's names change: each saved rating moves to the slot its activity now
    has, and the rating of an activity no longer named goes (left, it would rate whichever
    activity took its slot, and count in the score)."""
    before = list(questionnaire.activities)
    if not before or list(names) == before:
        return
    saved = {a.item_key: a for a in questionnaire.answers.all()}
    taken: set[int] = set()
    kept: list[Answer] = []
    for old, name in enumerate(before, start=1):
        answer = saved.get(f"activity_{old}")
        new = next((i for i, n in enumerate(names) if n == name and i not in taken), None)
        if answer is None or new is None:
            continue
        taken.add(new)
        key = f"activity_{new + 1}"
        kept.append(Answer(questionnaire=questionnaire, item_key=key, value=answer.value,
                           answered_at=answer.answered_at))  # fmt: skip
    questionnaire.answers.all().delete()
    Answer.objects.bulk_create(kept)
