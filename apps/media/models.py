"""A clinic's own photos and videos of an exercise (the shared library's or its own).

Only the clinic that uploaded a file ever sees it. The files live in Django's default storage
under content-hashed names (``exercise-media/<clinic>/<hash>.<ext>``): a name never changes
its bytes, so a browser may keep it for a year. A photo is stored re-encoded in three sizes;
a video as uploaded, with a poster frame in two sizes when ffmpeg could draw one.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.exercises.models import Exercise


class Kind(models.TextChoices):
    PHOTO = "photo", "Photo"
    VIDEO = "video", "Video"


# The stored files of one row, by the name the serving URLs use for them.
VARIANTS = ("thumb", "phone", "print", "video")


class ExerciseMediaQuerySet(models.QuerySet["ExerciseMedia"]):
    def of_clinic(self, clinic_id: int | None) -> ExerciseMediaQuerySet:
        if clinic_id is None:
            return self.none()
        return self.filter(clinic_id=clinic_id)

    def in_order(self) -> ExerciseMediaQuerySet:
        """The one patients see first, then the oldest first."""
        return self.order_by("-is_first", "created_at", "pk")


class ExerciseMedia(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Storage names. A photo has thumb, phone and print; a video has video, and thumb and
    # phone for its poster frame when one could be drawn.
    thumb = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=200, blank=True)
    print = models.CharField(max_length=200, blank=True)
    video = models.CharField(max_length=200, blank=True)
    # The sniffed type of the video (photos are always stored as JPEG).
    video_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # Bytes of every file of this row together: what counts against the clinic's quota.
    stored_bytes = models.PositiveBigIntegerField(default=0)
    # The one of its kind patients see first on this exercise.
    is_first = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExerciseMediaQuerySet.as_manager()

    class Meta:
        verbose_name = "exercise photo or video"
        verbose_name_plural = "exercise photos and videos"
        indexes: ClassVar[list[Any]] = [models.Index(fields=["clinic", "exercise"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["clinic", "exercise", "kind"],
                condition=Q(is_first=True),
                name="exercise_media_one_first",
            ),
            models.CheckConstraint(
                condition=(Q(kind="photo") & ~Q(phone="") & Q(video=""))
                | (Q(kind="video") & ~Q(video="")),
                name="exercise_media_has_its_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.exercise_id}"

    @property
    def is_video(self) -> bool:
        return self.kind == Kind.VIDEO

    def files(self) -> dict[str, str]:
        """Variant -> storage name, for the files this row has."""
        return {v: getattr(self, v) for v in VARIANTS if getattr(self, v)}

    def file_named(self, basename: str) -> tuple[str, str] | None:
        """(storage name, content type) of the file whose last path part is ``basename``."""
        for variant, name in self.files().items():
            if name.rsplit("/", 1)[-1] == basename:
                return name, self.video_type if variant == "video" else "image/jpeg"
        return None
