"""The clinic's first photo and first video of each exercise on Today, as the patient's own
URLs (``patients:media``): one query for the whole plan."""

from __future__ import annotations

from dataclasses import dataclass

from apps.media.models import ExerciseMedia
from apps.media.presentation import file_urls
from apps.media.selectors import first_media
from apps.patients.models import Patient
from apps.programs.selectors import PlanItem

ROUTE = "patients:media"


@dataclass(frozen=True)
class ClinicMedia:
    photo: dict[str, str] | None
    video: dict[str, str] | None
    video_type: str = ""


def _urls(media: ExerciseMedia | None) -> dict[str, str] | None:
    return file_urls(media, route=ROUTE) if media is not None else None


def clinic_media_for(*, patient: Patient, items: list[PlanItem]) -> dict[int, ClinicMedia]:
    """Exercise id -> the clinic's first photo and video URLs, for the plan's exercises."""
    ids = [p.exercise.pk for p in items if p.exercise is not None]
    found = first_media(clinic_id=patient.clinic_id, exercise_ids=ids)
    result = {}
    for exercise_id, kinds in found.items():
        video = kinds.get("video")
        result[exercise_id] = ClinicMedia(
            photo=_urls(kinds.get("photo")),
            video=_urls(video),
            video_type=video.video_type if video is not None else "",
        )
    return result
