"""The clinic's photos and videos on the staff's library pages (``apps.exercises.panels``):
on the exercise page their thumbnails and the way to the page that manages them, on the
library list the first photo's thumbnail. One query each."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.clinics.models import User
from apps.exercises.models import Exercise
from apps.media.presentation import file_urls
from apps.media.selectors import exercise_media, first_media

SHOWN = 6


def exercise_media_panel(request: HttpRequest, exercise: Exercise) -> SafeString:
    user = cast(User, request.user)
    rows = exercise_media(clinic_id=user.clinic_id, exercise_id=exercise.pk)
    context = {
        "exercise": exercise,
        "rows": [(row, file_urls(row)) for row in rows[:SHOWN]],
        "more": max(len(rows) - SHOWN, 0),
    }
    # A rendered template is already escaped: Django returns it as a SafeString.
    return render_to_string("media/_exercise_panel.html", context, request=request)


def library_photo_thumbnails(request: HttpRequest, exercise_ids: list[int]) -> dict[int, str]:
    clinic_id = cast(User, request.user).clinic_id
    found = first_media(clinic_id=clinic_id, exercise_ids=exercise_ids)
    return {
        exercise_id: file_urls(kinds["photo"])["thumb"]
        for exercise_id, kinds in found.items()
        if "photo" in kinds
    }
