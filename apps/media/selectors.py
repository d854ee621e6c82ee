"""Reads of clinic media, shared by the pages, the API, Today and the handout."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min, Sum

from apps.media.models import VARIANTS, ExerciseMedia, Kind


def clinic_usage(*, clinic_id: int) -> int:
    """Bytes the clinic's photos and videos take in storage.

    Files are named by their content and stored once per clinic: rows naming the same files
    (the same photo on two exercises) are counted once. (Rows sharing only some files, such
    as two videos with the same first frame, still count those for each.)"""
    sets = (
        ExerciseMedia.objects.filter(clinic_id=clinic_id)
        .values(*VARIANTS)
        .annotate(size=Min("stored_bytes"))
    )
    total = sets.aggregate(total=Sum("size"))
    return int(total["total"] or 0)


def exercise_media(*, clinic_id: int | None, exercise_id: int) -> list[ExerciseMedia]:
    """The clinic's photos and videos of one exercise, the first ones first."""
    return list(
        ExerciseMedia.objects.of_clinic(clinic_id).filter(exercise_id=exercise_id).in_order()
    )


def first_media(
    *, clinic_id: int | None, exercise_ids: Iterable[int]
) -> dict[int, dict[str, ExerciseMedia]]:
    """For each exercise, the clinic's first photo and first video ({"photo": ..., "video":
    ...}, either may be missing), in one query."""
    ids = set(exercise_ids)
    found: dict[int, dict[str, ExerciseMedia]] = {}
    if not ids:
        return found
    rows = ExerciseMedia.objects.of_clinic(clinic_id).filter(exercise_id__in=ids).in_order()
    for row in rows:
        found.setdefault(row.exercise_id, {}).setdefault(str(Kind(row.kind)), row)
    return found
