"""The page where clinic staff add, replace, order and delete their photos and videos of an
exercise, and the staff route that serves those files.

Upload and replace are posted to the page's own address, so a refused file is answered there
and reloading it shows the page. They read the body through ``MediaUploadHandler``
(apps/media/upload.py), which must be in place before anything reads ``request.POST``: the
page is exempt from the CSRF middleware, which would read it first, and a POST checks the
token itself once the handler is set (Django's documented pattern for per-view upload
handlers).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.clinics.access import get_for_staff, require_staff
from apps.clinics.models import User
from apps.core.once import replayed
from apps.exercises.models import Exercise
from apps.media import selectors, services
from apps.media.models import ExerciseMedia
from apps.media.presentation import file_urls
from apps.media.processing import MediaRefused
from apps.media.serving import file_response
from apps.media.upload import (
    MediaUploadHandler,
    declared_too_large,
    megabytes,
    quota_left_for,
)


def _exercise(user: User, public_id: UUID) -> Exercise:
    return get_for_staff(user, Exercise.objects.visible_to(user), public_id)


def _media(user: User, public_id: UUID | str) -> ExerciseMedia:
    queryset = ExerciseMedia.objects.of_clinic(user.clinic_id).select_related("exercise")
    return get_for_staff(user, queryset, public_id)


def _named(rows: list[ExerciseMedia]) -> list[tuple[ExerciseMedia, dict[str, str], str]]:
    """Each row with its files and its name on the page, "Photo 2" or "Video 1" (counted
    by kind in the order shown), which every control of the row says to screen readers."""
    seen: Counter[str] = Counter()
    named = []
    for row in rows:
        kind = str(row.get_kind_display())
        seen[kind] += 1
        named.append((row, file_urls(row), f"{kind} {seen[kind]}"))
    return named


def _page(
    request: HttpRequest, exercise: Exercise, error: str = "", status: int = 200
) -> HttpResponse:
    user = require_staff(request)
    rows = selectors.exercise_media(clinic_id=user.clinic_id, exercise_id=exercise.pk)
    context = {
        "exercise": exercise,
        "rows": _named(rows),
        "error": error,
        "photo_limit": megabytes(settings.MEDIA_PHOTO_MAX_BYTES),
        "video_limit": megabytes(settings.MEDIA_VIDEO_MAX_BYTES),
        "used": megabytes(selectors.clinic_usage(clinic_id=user.clinic_id or 0)),
        "quota": megabytes(settings.MEDIA_CLINIC_QUOTA_BYTES),
    }
    return render(request, "media/manage.html", context, status=status)


@dataclass(frozen=True)
class Received:
    """The uploaded file, or the reason it was refused while it streamed in."""

    file: UploadedFile | None
    refused: MediaRefused | None


def _received(request: HttpRequest, handler: MediaUploadHandler) -> Received:
    uploads = request.FILES.getlist("file")
    if handler.refusal is not None:
        return Received(None, handler.refusal)
    if not uploads:
        return Received(None, MediaRefused("Choose a photo or a video to upload."))
    if len(uploads) > 1:
        return Received(None, MediaRefused("Send one file per upload."))
    return Received(uploads[0], None)


@csrf_exempt  # a POST checks the token itself, once the upload handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The page; a POST uploads a file, or replaces the one named by ``replace``."""
    user = require_staff(request)
    exercise = _exercise(user, public_id)
    if request.method != "POST":
        return _page(request, exercise)
    refused = declared_too_large(request)
    if refused is not None:
        # Refused unread: nothing is changed, so there is no token to check.
        return _page(request, exercise, error=refused.message, status=refused.status)
    handler = MediaUploadHandler(request, quota_left_for(request))
    request.upload_handlers = [handler]

    @csrf_protect
    def checked(request: HttpRequest) -> HttpResponse:
        received = _received(request, handler)
        return _post(request, user=user, exercise=exercise, received=received)

    return checked(request)


def _post(
    request: HttpRequest, *, user: User, exercise: Exercise, received: Received
) -> HttpResponse:
    replacing = request.POST.get("replace")
    media = _replaced(user, exercise, replacing) if replacing else None
    refused = received.refused
    uploaded = None
    if received.file is not None:
        try:
            if media is None:
                uploaded = services.media_upload(
                    actor=user, exercise=exercise, upload=received.file,
                    first=request.POST.get("first") == "on", request=request,
                )  # fmt: skip
            else:
                services.media_replace(
                    actor=user, media=media, upload=received.file, request=request
                )
        except MediaRefused as exc:
            refused = exc
    if refused is not None:
        return _page(request, exercise, error=refused.message, status=refused.status)
    if uploaded is not None and replayed(uploaded):
        kind = uploaded.get_kind_display().lower()
        messages.success(request, f"This exercise already has this {kind}: it is kept once.")
    elif media is None:
        messages.success(request, "Uploaded. Your clinic's patients see it with this exercise.")
    else:
        messages.success(request, "Replaced.")
    return redirect("media:manage", public_id=exercise.public_id)


def _replaced(user: User, exercise: Exercise, public_id: str) -> ExerciseMedia:
    """The clinic's photo or video of this exercise that ``replace`` names; a 404 for any
    other (another exercise's, another clinic's, not an id)."""
    media = _media(user, public_id)
    if media.exercise_id != exercise.pk:
        raise Http404
    return media


@login_required
@require_POST
def make_first(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    media = _media(user, public_id)
    services.media_make_first(actor=user, media=media, request=request)
    messages.success(request, f"This {media.get_kind_display().lower()} is now shown first.")
    return redirect("media:manage", public_id=media.exercise.public_id)


@login_required
@require_POST
def delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    media = _media(user, public_id)
    exercise = media.exercise
    services.media_delete(actor=user, media=media, request=request)
    messages.success(request, f"The {media.get_kind_display().lower()} was deleted.")
    return redirect("media:manage", public_id=exercise.public_id)


@login_required
@require_GET
def file(request: HttpRequest, public_id: UUID, name: str) -> HttpResponseBase:
    """One of the clinic's files, for its staff; anything else is a 404."""
    user = require_staff(request)
    media = get_for_staff(user, ExerciseMedia.objects.of_clinic(user.clinic_id), public_id)
    found = media.file_named(name)
    if found is None:
        raise Http404
    return file_response(request, *found)
