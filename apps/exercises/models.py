"""The exercise library: exercises, the EMG evidence behind them, and progression ladders.

Rows with ``clinic = NULL`` are the shared library, loaded by ``manage.py load_library`` and
read-only to clinics. A clinic's own exercises, evidence and ladders carry its clinic.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.hip import movement_labels
from apps.core.once import client_request_field

if TYPE_CHECKING:
    from apps.clinics.models import User


class LibraryQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: User) -> LibraryQuerySet:
        """The shared library plus the user's own clinic's additions."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(clinic__isnull=True) | Q(clinic_id=user.clinic_id))

    def editable_by(self, user: User) -> LibraryQuerySet:
        """The rows a user may change: their own clinic's, never the shared library."""
        if not user.is_authenticated or not user.is_clinic_staff or user.clinic_id is None:
            return self.none()
        return self.filter(clinic_id=user.clinic_id)


class Muscle(models.TextChoices):
    GLUTEUS_MEDIUS = "gluteus_medius", "Gluteus medius"
    GLUTEUS_MAXIMUS = "gluteus_maximus", "Gluteus maximus"
    HIP_ROTATORS = "hip_rotators", "Hip rotators"
    HAMSTRINGS = "hamstrings", "Hamstrings"
    QUADRICEPS = "quadriceps", "Quadriceps"


# The muscles the library sorts by and reports %MVIC for first.
GLUTEAL_MUSCLES = (Muscle.GLUTEUS_MEDIUS, Muscle.GLUTEUS_MAXIMUS)


class Equipment(models.TextChoices):
    MAT = "mat", "Mat"
    MINI_BAND = "mini_band", "Mini band"
    STEP = "step", "Step"
    WALL = "wall", "Wall"


class Position(models.TextChoices):
    SIDE_LYING = "side_lying", "Side-lying"
    SUPINE = "supine", "Lying on the back"
    PRONE = "prone", "Lying face down"
    QUADRUPED = "quadruped", "Hands and knees"
    PLANK = "plank", "Plank"
    STANDING = "standing", "Standing"


class Study(models.Model):
    # What forms and URLs name a study by: never the sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=64)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, null=True, blank=True)
    short_name = models.CharField(max_length=100)
    citation = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    is_primary = models.BooleanField(default=False)
    # The one-time key of the form that added it (apps.core.once): sent again (a double
    # click) it finds this row instead of adding the same source twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "studies"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(clinic__isnull=True), name="study_shared_key_unique"
            ),
            models.UniqueConstraint(
                fields=["clinic", "key"],
                condition=Q(clinic__isnull=False),
                name="study_clinic_key_unique",
            ),
            # Only the shared library has a primary study, and only one.
            models.UniqueConstraint(
                fields=["is_primary"], condition=Q(is_primary=True), name="study_one_primary"
            ),
            models.CheckConstraint(
                condition=Q(clinic__isnull=True) | Q(is_primary=False),
                name="study_clinic_not_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class Exercise(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=64)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="exercises"
    )
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    position = models.CharField(max_length=16, choices=Position.choices)
    equipment = models.JSONField(default=list, blank=True, help_text="e.g. ['mini band']")
    movement = models.CharField(max_length=200, help_text="The movement in a short phrase.")
    target_muscles = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    steps = models.JSONField(default=list, blank=True)
    cues = models.JSONField(default=list, blank=True)
    common_mistakes = models.JSONField(default=list, blank=True)
    cautions = models.TextField(blank=True)
    default_sets = models.PositiveSmallIntegerField(default=2)
    default_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    default_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    # The rest of the default dose, as program items hold it (apps.programs.models): the top
    # of a range, or "to fatigue" (up to ``default_reps_up_to``), holding each rep a while.
    default_reps_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    default_hold_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    default_to_fatigue = models.BooleanField(default=False)
    default_rep_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=True)
    default_rest_seconds = models.PositiveSmallIntegerField(default=60)
    dose_note = models.CharField(max_length=300, blank=True)
    # The hip movements the exercise takes the joint into (apps.core.hip.HipMovement), read
    # from its steps, and how they were read, so a clinician can check them against the
    # steps. The shared library's come from data/movements.toml.
    hip_movements = models.JSONField(default=list, blank=True)
    hip_movements_note = models.TextField(blank=True)
    # Recorded as taking the hip into none of them ("None of these movements"), as distinct
    # from none recorded: a clinic's exercise with neither cannot be checked against hip
    # precautions (apps.programs.precautions.NOT_RECORDED). Never beside a movement.
    hip_movements_none = models.BooleanField(
        default=False,
        help_text="Recorded as taking the hip into none of the listed movements. False with "
        "no hip_movements: not recorded (a clinic's exercise then needs an override reason "
        "while hip precautions are in force).",
    )
    image = models.ImageField(upload_to="exercises/", null=True, blank=True)
    video_url = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the form that added it (apps.core.once): sent again (a double
    # click) it finds this row instead of adding the same exercise twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(clinic__isnull=True), name="exercise_shared_key_unique"
            ),
            models.UniqueConstraint(
                fields=["clinic", "key"],
                condition=Q(clinic__isnull=False),
                name="exercise_clinic_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(default_reps__isnull=False)
                | Q(default_hold_seconds__isnull=False)
                | Q(default_to_fatigue=True),
                name="exercise_has_reps_hold_or_fatigue",
            ),
            models.CheckConstraint(
                condition=Q(hip_movements_none=False) | Q(hip_movements=[]),
                name="exercise_no_movements_when_none",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.clinic_id is None

    @property
    def equipment_labels(self) -> list[str]:
        return [_label(Equipment, item) for item in self.equipment]

    @property
    def target_muscle_labels(self) -> list[str]:
        return [_label(Muscle, item) for item in self.target_muscles]

    @property
    def hip_movement_labels(self) -> list[str]:
        return movement_labels(self.hip_movements)

    @property
    def hip_movements_recorded(self) -> bool:
        """Whether anyone recorded where it takes the hip: movements, "none of these", or
        the shared library (whose movements are read from its steps, so none means none)."""
        return bool(self.hip_movements) or self.hip_movements_none or self.is_shared

    @property
    def dose_summary(self) -> str:
        """The default dose in words, e.g. "2 sets x 10-20 reps per side" (with a times sign
        and an en dash), or "1 set x reps to fatigue, 5 s hold each"."""
        parts = [f"{self.default_sets} set{'s' if self.default_sets != 1 else ''}"]
        if self.default_to_fatigue:
            cap = f", up to {self.default_reps_up_to}" if self.default_reps_up_to else ""
            parts.append(f"reps to fatigue{cap}")
        if self.default_reps is not None:
            parts.append(f"{_span(self.default_reps, self.default_reps_up_to)} reps")
        if self.default_hold_seconds is not None:
            parts.append(f"{_span(self.default_hold_seconds, self.default_hold_up_to)} s hold")
        text = " \N{MULTIPLICATION SIGN} ".join(parts)
        if self.default_rep_hold_seconds:
            text += f", {self.default_rep_hold_seconds} s hold each"
        return text + (" per side" if self.per_side else "")


def _span(low: int, high: int | None) -> str:
    return f"{low}\N{EN DASH}{high}" if high else str(low)


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


class Confidence(models.TextChoices):
    SOURCE_DOCUMENT = "source-document", "Source document"
    CORROBORATED = "corroborated", "Corroborated"
    SINGLE_SOURCE = "single-source", "Single source"
    INFERRED = "inferred", "Inferred"
    CLINIC = "clinic", "Added by the clinic"


LESS_CERTAIN = frozenset({Confidence.SINGLE_SOURCE, Confidence.INFERRED, Confidence.CLINIC})


class EvidenceValue(models.Model):
    """One %MVIC value: an exercise, in one study, for one muscle."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="evidence")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="values")
    muscle = models.CharField(max_length=32, choices=Muscle.choices)
    mvic_percent = models.DecimalField(max_digits=5, decimal_places=1)
    confidence = models.CharField(max_length=20, choices=Confidence.choices)
    note = models.TextField(blank=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, null=True, blank=True)
    source = models.TextField(blank=True, help_text="Where a clinic's value comes from.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["exercise", "study", "muscle"],
                condition=Q(clinic__isnull=True),
                name="evidence_shared_unique",
            ),
            models.UniqueConstraint(
                fields=["clinic", "exercise", "study", "muscle"],
                condition=Q(clinic__isnull=False),
                name="evidence_clinic_unique",
            ),
            models.CheckConstraint(
                condition=Q(clinic__isnull=True) | ~Q(source=""),
                name="evidence_clinic_value_has_source",
            ),
            models.CheckConstraint(
                condition=Q(mvic_percent__gte=0) & Q(mvic_percent__lte=300),
                name="evidence_mvic_plausible",
            ),
            # A clinic's own value is always marked as the clinic's; the shared library never is.
            models.CheckConstraint(
                condition=(Q(clinic__isnull=True) & ~Q(confidence="clinic"))
                | (Q(clinic__isnull=False) & Q(confidence="clinic")),
                name="evidence_clinic_confidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.study_id} {self.muscle}: {self.mvic_percent}%"

    @property
    def is_less_certain(self) -> bool:
        return self.confidence in LESS_CERTAIN

    @property
    def is_shared(self) -> bool:
        return self.clinic_id is None


class Ladder(models.Model):
    """An ordered progression of exercises; a patient advances when the rule is met."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(max_length=64)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, null=True, blank=True, related_name="ladders"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    advance_at_reps = models.PositiveSmallIntegerField(
        default=20, help_text="Reps in a single set at a level that prompt advancing."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the form that added it (apps.core.once): sent again (a double
    # click) it finds this row instead of adding the same ladder twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(clinic__isnull=True), name="ladder_shared_key_unique"
            ),
            models.UniqueConstraint(
                fields=["clinic", "key"],
                condition=Q(clinic__isnull=False),
                name="ladder_clinic_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(advance_at_reps__gte=1), name="ladder_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AdvanceRule(models.TextChoices):
    REPS = "reps", "Reps in one set"
    HOLD = "hold", "Seconds held in one set"


class LadderLevel(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(help_text="1 is the first level.")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="ladder_levels")
    # When this level is passed: ``advance_target`` reps (empty: the ladder's
    # ``advance_at_reps``) or seconds held in one set (both sides for a per-side item, the
    # same day), on ``advance_days`` separate days. A hold target is the clinic's default,
    # not evidence (CLINICAL.md: no published criterion uses a hold time).
    advance_rule = models.CharField(
        max_length=8, choices=AdvanceRule.choices, default=AdvanceRule.REPS
    )
    advance_target = models.PositiveSmallIntegerField(null=True, blank=True)
    advance_days = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering: ClassVar[list[str]] = ["ladder", "level"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["ladder", "level"], name="ladder_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="ladder_level_positive"),
            models.CheckConstraint(
                condition=Q(advance_target__isnull=True) | Q(advance_target__gte=1),
                name="ladder_level_target_positive",
            ),
            models.CheckConstraint(
                condition=Q(advance_rule="reps") | Q(advance_target__isnull=False),
                name="ladder_level_hold_has_target",
            ),
            models.CheckConstraint(
                condition=Q(advance_days__gte=1) & Q(advance_days__lte=14),
                name="ladder_level_days_1_14",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} level {self.level}"

    def target_for(self, ladder: Ladder, prescribed_hold_top: int | None = None) -> int:
        """The number to reach. A hold-based level is passed at the top of the hold the item
        prescribes (CLINICAL.md: the clinic's default rule, 30 s for the windshield wiper
        prescribed 20-30 s), so a patient prescribed 10-15 s is never asked for 30; with no
        prescription at hand (the ladder page) the level's own target. A reps level: its
        own target, else the ladder's threshold."""
        if self.advance_rule == AdvanceRule.HOLD and prescribed_hold_top:
            return prescribed_hold_top
        return self.advance_target or ladder.advance_at_reps

    def rule_text(
        self, ladder: Ladder, per_side: bool, prescribed_hold_top: int | None = None
    ) -> str:
        """E.g. "20 reps in one set on each side, on 2 separate days"."""
        target = self.target_for(ladder, prescribed_hold_top)
        amount = (
            f"{target} reps" if self.advance_rule == AdvanceRule.REPS else f"a {target}-second hold"
        )
        text = f"{amount} in one set" + (" on each side" if per_side else "")
        if self.advance_days > 1:
            text += f", on {self.advance_days} separate days"
        return text
