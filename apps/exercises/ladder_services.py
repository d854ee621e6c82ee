"""Writes to a clinic's own ladders: building one, changing it, and each level's advance rule.

The rules of ``apps.exercises.services`` hold here too: the shared library's ladders are
read-only (they change only through ``manage.py load_library``), the user must be staff of
the clinic that owns the ladder, and everything is validated before writing, with a message
per field in ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.clinics.services import clinic_today_bump
from apps.core.once import create_once, request_print
from apps.core.text import ONE_LINE_MESSAGE, is_one_line
from apps.exercises.models import AdvanceRule, Exercise, Ladder, LadderLevel
from apps.exercises.selectors import ladder_in_use
from apps.exercises.services import check_owned, clinic_id_for, same_clinic, unique_key

if TYPE_CHECKING:
    from apps.clinics.models import User

MAX_LEVELS = 10


@dataclass(frozen=True)
class LevelRule:
    """When a level is passed: ``target`` reps (None: the ladder's threshold) or seconds held
    in one set, on ``days`` separate days."""

    rule: str = AdvanceRule.REPS
    target: int | None = None
    days: int = 1


MAX_RULE_TARGET = {AdvanceRule.REPS: 200, AdvanceRule.HOLD: 600}
MAX_RULE_DAYS = 14


def _rule_errors(rules: Sequence[LevelRule]) -> dict[str, list[str]]:
    """Each level's rule checked; errors are named ``rule_<n>``, ``target_<n>``, ``days_<n>``
    after the level (1 first), as the ladder form names its fields."""
    errors: dict[str, list[str]] = {}
    for number, rule in enumerate(rules, start=1):
        if rule.rule not in AdvanceRule.values:
            errors[f"rule_{number}"] = [f"Level {number}: choose reps or seconds held."]
            continue
        most = MAX_RULE_TARGET[AdvanceRule(rule.rule)]
        unit = "reps" if rule.rule == AdvanceRule.REPS else "seconds"
        if rule.target is None and rule.rule == AdvanceRule.HOLD:
            errors[f"target_{number}"] = [f"Level {number}: give the seconds to hold."]
        elif rule.target is not None and not 1 <= rule.target <= most:
            errors[f"target_{number}"] = [f"Level {number}: give 1 to {most} {unit}."]
        if not 1 <= rule.days <= MAX_RULE_DAYS:
            errors[f"days_{number}"] = [f"Level {number}: give 1 to {MAX_RULE_DAYS} separate days."]
    return errors


def _mismatched_rules(
    exercises: Sequence[Exercise], rules: Sequence[LevelRule]
) -> list[tuple[str, str]]:
    """A level whose exercise is done as a hold (the gluteal squeeze, the windshield wiper),
    passed on reps: prescribed as its hold the patient logs seconds, so the level could never
    be passed and no prompt would ever come. Refused, naming the rule to choose."""
    return [
        (
            f"rule_{number}",
            f"Level {number}: {exercise.name} is done as a hold, so reps in one set can "
            "never pass it: choose seconds held.",
        )
        for number, (exercise, rule) in enumerate(zip(exercises, rules, strict=True), start=1)
        if rule.rule == AdvanceRule.REPS and exercise.default_hold_seconds is not None
    ]


def _ladder_errors(
    *,
    user: User,
    name: str,
    advance_at_reps: int,
    exercises: Sequence[Exercise],
    rules: Sequence[LevelRule],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = _rule_errors(rules)
    if len(rules) != len(exercises):
        errors["levels"] = ["Give each level its advance rule."]
    else:
        for key, message in _mismatched_rules(exercises, rules):
            errors.setdefault(key, [message])
    if not name.strip():
        errors["name"] = ["Give the ladder a name."]
    elif not is_one_line(name.strip()):
        errors["name"] = [ONE_LINE_MESSAGE]
    if not 1 <= advance_at_reps <= 100:
        errors["advance_at_reps"] = ["Give a number of reps between 1 and 100."]
    if not 1 <= len(exercises) <= MAX_LEVELS:
        errors["levels"] = [f"Choose between 1 and {MAX_LEVELS} levels."]
    if any(e.clinic_id not in (None, user.clinic_id) for e in exercises):
        errors["levels"] = ["No such exercise."]
    return errors


def _rule_values(rule: LevelRule) -> dict[str, object]:
    return {
        "advance_rule": rule.rule,
        "advance_target": rule.target,
        "advance_days": rule.days,
    }


def _replace_levels(
    ladder: Ladder, exercises: Sequence[Exercise], rules: Sequence[LevelRule]
) -> None:
    """Bring the levels to ``exercises`` with their ``rules``. The rules may change while
    patients are on the ladder; the exercises may not (a level would become another one)."""
    current = list(ladder.levels.order_by("level"))
    if [level.exercise_id for level in current] == [e.pk for e in exercises]:
        for level, rule in zip(current, rules, strict=True):
            values = _rule_values(rule)
            if any(getattr(level, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(level, name, value)
                level.save(update_fields=list(values))
        return
    if ladder_in_use(ladder):
        raise ValidationError(
            {"levels": ["Patients are on this ladder, so its levels cannot change. Copy it."]}
        )
    ladder.levels.all().delete()
    LadderLevel.objects.bulk_create(
        LadderLevel(ladder=ladder, level=number, exercise=exercise, **_rule_values(rule))
        for number, (exercise, rule) in enumerate(zip(exercises, rules, strict=True), start=1)
    )


@transaction.atomic
def ladder_create(
    *,
    user: User,
    name: str,
    exercises: Sequence[Exercise],
    description: str = "",
    advance_at_reps: int = 20,
    rules: Sequence[LevelRule] | None = None,
    client_id: UUID | None = None,
) -> Ladder:
    """Build a ladder for the clinic from any exercises it can see, lowest level first, each
    level with its advance rule (``rules``, in the same order; default: the reps threshold).
    Once per ``client_id`` (``apps.core.once``): sent again, the ladder it built; another
    ladder under that key is refused."""
    clinic_id = clinic_id_for(user)
    rules = list(rules) if rules is not None else [LevelRule() for _ in exercises]
    errors = _ladder_errors(
        user=user, name=name, advance_at_reps=advance_at_reps, exercises=exercises, rules=rules
    )
    if errors:
        raise ValidationError(errors)
    asked = request_print(
        client_id, name=name.strip(), exercises=list(exercises), description=description.strip(),
        advance_at_reps=advance_at_reps, rules=rules,
    )  # fmt: skip

    def create() -> Ladder:
        ladder = Ladder.objects.create(
            clinic_id=clinic_id,
            key=unique_key(Ladder, clinic_id, name),
            name=name.strip(),
            description=description.strip(),
            advance_at_reps=advance_at_reps,
            created_by=user,
            client_id=client_id,
            client_request=asked,
        )
        _replace_levels(ladder, exercises, rules)
        return ladder

    return create_once(Ladder, client_id, create, same=same_clinic(clinic_id), asked=asked)


@transaction.atomic
def ladder_update(
    *,
    user: User,
    ladder: Ladder,
    name: str,
    exercises: Sequence[Exercise],
    description: str = "",
    advance_at_reps: int = 20,
    rules: Sequence[LevelRule] | None = None,
) -> Ladder:
    """Change the clinic's own ladder. Its levels' exercises stay fixed once patients are on
    it, so a patient's level never silently becomes a different exercise; their advance rules
    may change."""
    check_owned(user, ladder)
    rules = list(rules) if rules is not None else [LevelRule() for _ in exercises]
    errors = _ladder_errors(
        user=user, name=name, advance_at_reps=advance_at_reps, exercises=exercises, rules=rules
    )
    if errors:
        raise ValidationError(errors)
    ladder.name, ladder.description = name.strip(), description.strip()
    ladder.advance_at_reps, ladder.updated_at = advance_at_reps, timezone.now()
    ladder.save(update_fields=["name", "description", "advance_at_reps", "updated_at"])
    _replace_levels(ladder, exercises, rules)
    clinic_today_bump(clinic_id=ladder.clinic_id)  # Today shows its name, levels and goals
    return ladder
