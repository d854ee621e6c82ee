"""Writes to a clinic's own part of the library: exercises, studies and evidence (ladders
are in ``ladder_services``).

The shared library (``clinic IS NULL``) is read-only here: it changes only through
``manage.py load_library``. Every function checks that the user is staff of the clinic that
owns the row, validates everything before writing, and raises ``ValidationError`` with a
message per field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from apps.clinics.services import clinic_today_bump
from apps.core.hip import unknown_movements
from apps.core.once import create_once, request_print
from apps.exercises.models import (
    Confidence,
    Equipment,
    EvidenceValue,
    Exercise,
    Ladder,
    Muscle,
    Position,
    Study,
)
from apps.exercises.signals import MOVEMENT_FIELDS, hip_movements_changed

if TYPE_CHECKING:
    from apps.clinics.models import User

MAX_MVIC = Decimal("300")
NONE_AND_MOVEMENTS = (
    "Tick “None of these movements” or the movements it takes the hip into, not both."
)


@dataclass(frozen=True)
class ExerciseContent:
    """Everything a clinic may set on its own exercise."""

    name: str
    position: str
    movement: str
    aliases: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    target_muscles: list[str] = field(default_factory=list)
    summary: str = ""
    steps: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    common_mistakes: list[str] = field(default_factory=list)
    cautions: str = ""
    default_sets: int = 2
    default_reps: int | None = 10
    default_hold_seconds: int | None = None
    default_reps_up_to: int | None = None
    default_hold_up_to: int | None = None
    default_to_fatigue: bool = False
    default_rep_hold_seconds: int | None = None
    per_side: bool = True
    default_rest_seconds: int = 60
    dose_note: str = ""
    video_url: str = ""
    hip_movements: list[str] = field(default_factory=list)
    hip_movements_note: str = ""
    # Recorded as taking the hip into none of them; False with no movements: not recorded.
    hip_movements_none: bool = False


def clinic_id_for(user: User) -> int:
    """The clinic a staff member writes for; anyone else may not write."""
    if not user.is_clinic_staff or user.clinic_id is None:
        raise PermissionDenied("Only clinic staff can change their clinic's library.")
    return user.clinic_id


def check_owned(user: User, row: Exercise | Ladder | EvidenceValue | Study) -> None:
    if row.clinic_id is None or row.clinic_id != clinic_id_for(user):
        raise PermissionDenied("The shared library and other clinics' rows are read-only.")


def unique_key(model: type[models.Model], clinic_id: int, name: str) -> str:
    """A slug for a clinic row that clashes neither with the clinic's nor the shared keys."""
    base = slugify(name)[:56] or "item"
    taken = set(
        model._default_manager.filter(Q(clinic_id=clinic_id) | Q(clinic__isnull=True))
        .filter(key__startswith=base)
        .values_list("key", flat=True)
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _content_errors(content: ExerciseContent) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not content.name.strip():
        bad("name", "Give the exercise a name.")
    if not content.movement.strip():
        bad("movement", "Describe the movement in a few words.")
    if content.position not in Position.values:
        bad("position", f"“{content.position}” is not a position.")
    for item in content.equipment:
        if item not in Equipment.values:
            bad("equipment", f"“{item}” is not known equipment.")
    for muscle in content.target_muscles:
        if muscle not in Muscle.values:
            bad("target_muscles", f"“{muscle}” is not a muscle the library knows.")
    if (
        content.default_reps is None
        and content.default_hold_seconds is None
        and not content.default_to_fatigue
    ):
        bad("default_reps", "Give a number of reps, a hold time, both, or “to fatigue”.")
    amounts = (content.default_reps, content.default_hold_seconds)
    if content.default_to_fatigue and any(value is not None for value in amounts):
        bad("default_to_fatigue", "A dose to fatigue has no fixed reps or hold: leave them empty.")
    _range_errors(content, bad)
    if content.default_sets < 1:
        bad("default_sets", "At least one set.")
    for movement in unknown_movements(content.hip_movements):
        bad("hip_movements", f"“{movement}” is not a hip movement the library knows.")
    if content.hip_movements_none and content.hip_movements:
        bad("hip_movements", NONE_AND_MOVEMENTS)
    return errors


def _range_errors(content: ExerciseContent, bad: Callable[[str, str], None]) -> None:
    """The top of a default range sits above its low end."""
    pairs = (
        ("default_reps_up_to", content.default_reps, content.default_reps_up_to),
        ("default_hold_up_to", content.default_hold_seconds, content.default_hold_up_to),
    )
    for name, low, high in pairs:
        if high is None or (name == "default_reps_up_to" and content.default_to_fatigue):
            continue
        if low is None or high <= low:
            bad(name, "The top of the range must be above its low end.")


def _validated(content: ExerciseContent) -> ExerciseContent:
    errors = _content_errors(content)
    if errors:
        raise ValidationError(errors)
    return content


def same_clinic(clinic_id: int) -> Callable[[Exercise | Ladder | Study], bool]:
    """Whether a row found under a one-time key answers this clinic's request."""
    return lambda first: first.clinic_id == clinic_id


@transaction.atomic
def exercise_create(
    *, user: User, content: ExerciseContent, client_id: UUID | None = None
) -> Exercise:
    """Add an exercise to the user's clinic. Once per ``client_id`` (``apps.core.once``):
    the same form sent again returns the exercise it added; another one under that key is
    refused."""
    clinic_id = clinic_id_for(user)
    values = asdict(_validated(content))
    asked = request_print(client_id, **values)

    def create() -> Exercise:
        return Exercise.objects.create(
            clinic_id=clinic_id,
            key=unique_key(Exercise, clinic_id, content.name),
            created_by=user,
            client_id=client_id,
            client_request=asked,
            **values,
        )

    return create_once(Exercise, client_id, create, same=same_clinic(clinic_id), asked=asked)


@transaction.atomic
def exercise_update(*, user: User, exercise: Exercise, content: ExerciseContent) -> Exercise:
    """Change the user's clinic's own exercise; the shared library is read-only."""
    check_owned(user, exercise)
    values = asdict(_validated(content))
    changed = [name for name, value in values.items() if getattr(exercise, name) != value]
    for name in changed:
        setattr(exercise, name, values[name])
    exercise.updated_at = timezone.now()
    exercise.save(update_fields=[*changed, "updated_at"])
    clinic_today_bump(clinic_id=exercise.clinic_id)  # Today shows its name, steps, cautions
    if MOVEMENT_FIELDS.intersection(changed):
        # What hip precautions hold back changed: the programs app rebuilds the stored daily
        # totals of the patients using it, in this transaction.
        hip_movements_changed.send(sender=Exercise, exercise_ids=[exercise.pk])
    return exercise


@transaction.atomic
def study_create(
    *,
    user: User,
    short_name: str,
    citation: str,
    year: int | None = None,
    summary: str = "",
    client_id: UUID | None = None,
) -> Study:
    """Add a source of evidence (a paper, the clinic's own measurements) for the clinic.
    Once per ``client_id`` (``apps.core.once``): sent again, the source it added; another
    source under that key is refused."""
    clinic_id = clinic_id_for(user)
    errors = {}
    if not short_name.strip():
        errors["short_name"] = ["Give the study a short name, e.g. “Selkowitz 2013”."]
    if not citation.strip():
        errors["citation"] = ["Give the full citation or describe the source."]
    if year is not None and not 1900 <= year <= timezone.now().year:
        errors["year"] = ["Give a year between 1900 and this year."]
    if errors:
        raise ValidationError(errors)
    asked = request_print(
        client_id, short_name=short_name.strip(), citation=citation.strip(), year=year,
        summary=summary.strip(),
    )  # fmt: skip

    def create() -> Study:
        return Study.objects.create(
            clinic_id=clinic_id,
            key=unique_key(Study, clinic_id, short_name),
            short_name=short_name.strip(),
            citation=citation.strip(),
            year=year,
            summary=summary.strip(),
            client_id=client_id,
            client_request=asked,
        )

    return create_once(Study, client_id, create, same=same_clinic(clinic_id), asked=asked)


def _evidence_errors(
    *, user: User, exercise: Exercise, study: Study, muscle: str, mvic_percent: Decimal, source: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if exercise.clinic_id not in (None, user.clinic_id):
        errors["exercise"] = ["No such exercise."]
    if study.clinic_id not in (None, user.clinic_id):
        errors["study"] = ["No such study."]
    if muscle not in Muscle.values:
        errors["muscle"] = [f"“{muscle}” is not a muscle the library knows."]
    if not Decimal(0) <= mvic_percent <= MAX_MVIC:
        errors["mvic_percent"] = [f"Give a %MVIC between 0 and {MAX_MVIC}."]
    if not source.strip():
        errors["source"] = ["Say where this value comes from."]
    return errors


def _check_evidence_unique(
    *, clinic_id: int, exercise: Exercise, study: Study, muscle: str, exclude: int | None
) -> None:
    clash = EvidenceValue.objects.filter(
        clinic_id=clinic_id, exercise=exercise, study=study, muscle=muscle
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {"muscle": ["Your clinic already has a value for this muscle from this study."]}
        )


@transaction.atomic
def evidence_add(
    *,
    user: User,
    exercise: Exercise,
    study: Study,
    muscle: str,
    mvic_percent: Decimal,
    source: str,
    note: str = "",
) -> EvidenceValue:
    """Add the clinic's own %MVIC value (marked ``clinic``, so shown as less certain).

    The exercise and study may be shared or the clinic's own; a value for the same exercise,
    study and muscle as a shared one is the clinic's correction and is shown beside it.
    """
    clinic_id = clinic_id_for(user)
    errors = _evidence_errors(
        user=user,
        exercise=exercise,
        study=study,
        muscle=muscle,
        mvic_percent=mvic_percent,
        source=source,
    )
    if errors:
        raise ValidationError(errors)
    _check_evidence_unique(
        clinic_id=clinic_id, exercise=exercise, study=study, muscle=muscle, exclude=None
    )
    return EvidenceValue.objects.create(
        clinic_id=clinic_id,
        exercise=exercise,
        study=study,
        muscle=muscle,
        mvic_percent=mvic_percent,
        confidence=Confidence.CLINIC,
        note=note.strip(),
        source=source.strip(),
        created_by=user,
    )


@transaction.atomic
def evidence_update(
    *,
    user: User,
    evidence: EvidenceValue,
    study: Study,
    muscle: str,
    mvic_percent: Decimal,
    source: str,
    note: str = "",
) -> EvidenceValue:
    """Change one of the clinic's own values."""
    check_owned(user, evidence)
    errors = _evidence_errors(
        user=user,
        exercise=evidence.exercise,
        study=study,
        muscle=muscle,
        mvic_percent=mvic_percent,
        source=source,
    )
    if errors:
        raise ValidationError(errors)
    _check_evidence_unique(
        clinic_id=clinic_id_for(user),
        exercise=evidence.exercise,
        study=study,
        muscle=muscle,
        exclude=evidence.pk,
    )
    evidence.study, evidence.muscle, evidence.mvic_percent = study, muscle, mvic_percent
    evidence.source, evidence.note, evidence.updated_at = (
        source.strip(),
        note.strip(),
        timezone.now(),
    )
    evidence.save(update_fields=["study", "muscle", "mvic_percent", "source", "note", "updated_at"])
    return evidence


@transaction.atomic
def evidence_delete(*, user: User, evidence: EvidenceValue) -> None:
    check_owned(user, evidence)
    evidence.delete()
