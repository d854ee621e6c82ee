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

from apps.clinics.models import Clinic

if TYPE_CHECKING:
    from apps.clinics.models import User


class LibraryQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: User) -> LibraryQuerySet:
        """The shared library plus the user's own clinic's additions."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(clinic__isnull=True) | Q(clinic_id=user.clinic_id))


class Muscle(models.TextChoices):
    GLUTEUS_MEDIUS = "gluteus_medius", "Gluteus medius"
    GLUTEUS_MAXIMUS = "gluteus_maximus", "Gluteus maximus"


class Position(models.TextChoices):
    SIDE_LYING = "side_lying", "Side-lying"
    SUPINE = "supine", "Lying on the back"
    PRONE = "prone", "Lying face down"
    QUADRUPED = "quadruped", "Hands and knees"
    PLANK = "plank", "Plank"
    STANDING = "standing", "Standing"


class Study(models.Model):
    key = models.SlugField(max_length=64)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, null=True, blank=True)
    short_name = models.CharField(max_length=100)
    citation = models.TextField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    is_primary = models.BooleanField(default=False)

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
    per_side = models.BooleanField(default=True)
    default_rest_seconds = models.PositiveSmallIntegerField(default=60)
    dose_note = models.CharField(max_length=300, blank=True)
    image = models.ImageField(upload_to="exercises/", null=True, blank=True)
    video_url = models.URLField(blank=True)

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
                condition=Q(default_reps__isnull=False) | Q(default_hold_seconds__isnull=False),
                name="exercise_has_reps_or_hold",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Confidence(models.TextChoices):
    SOURCE_DOCUMENT = "source-document", "Source document"
    CORROBORATED = "corroborated", "Corroborated"
    SINGLE_SOURCE = "single-source", "Single source"
    INFERRED = "inferred", "Inferred"
    CLINIC = "clinic", "Added by the clinic"


LESS_CERTAIN = frozenset({Confidence.SINGLE_SOURCE, Confidence.INFERRED, Confidence.CLINIC})


class EvidenceValue(models.Model):
    """One %MVIC value: an exercise, in one study, for one muscle."""

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
        ]

    @property
    def is_less_certain(self) -> bool:
        return self.confidence in LESS_CERTAIN


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


class LadderLevel(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(help_text="1 is the first level.")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="ladder_levels")

    class Meta:
        ordering: ClassVar[list[str]] = ["ladder", "level"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["ladder", "level"], name="ladder_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="ladder_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} level {self.level}"
