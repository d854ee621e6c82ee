"""The API for a clinic's photos and videos of an exercise (staff and their tokens).

Uploads are multipart (``file``, optional ``first``) and read through MediaUploadHandler,
set on the request before DRF authenticates it (session authentication reads the body to
check the CSRF token). A refused upload is a 400 or 413 whose message says what is allowed.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.clinics.access import StaffOnly, get_for_staff
from apps.clinics.models import User
from apps.core.api_defaults import ErrorSerializer
from apps.core.once import created_status
from apps.exercises.models import Exercise
from apps.media import selectors, services
from apps.media.models import ExerciseMedia
from apps.media.presentation import file_urls
from apps.media.processing import MediaRefused
from apps.media.upload import MediaUploadHandler, declared_too_large, quota_left_for


class MediaOut(serializers.ModelSerializer[ExerciseMedia]):
    exercise = serializers.UUIDField(source="exercise.public_id", read_only=True)
    urls = serializers.SerializerMethodField(
        help_text="thumb, phone, print (photos); video, and thumb and phone of its poster frame"
    )

    class Meta:
        model = ExerciseMedia
        fields = ("public_id", "exercise", "kind", "is_first", "video_type", "width", "height",
                  "stored_bytes", "created_at", "urls")  # fmt: skip
        read_only_fields = fields

    def get_urls(self, media: ExerciseMedia) -> dict[str, str]:
        return file_urls(media)


UPLOAD_IN = inline_serializer(
    "MediaUploadIn",
    fields={
        "file": serializers.FileField(
            help_text="JPEG, PNG or WebP photo, or MP4 (H.264) or WebM video."
        ),
        "first": serializers.BooleanField(required=False, help_text="Show this one first."),
    },
)


TOO_LARGE = OpenApiResponse(
    ErrorSerializer,
    "Over the size limit for its type, too many megapixels, or the clinic's storage is full.",
)


class Refused(APIException):
    def __init__(self, refused: MediaRefused) -> None:
        super().__init__(refused.message)
        self.status_code = refused.status


def _user(request: Request) -> User:
    return cast(User, request.user)


def _media(request: Request, public_id: UUID) -> ExerciseMedia:
    user = _user(request)
    queryset = ExerciseMedia.objects.of_clinic(user.clinic_id).select_related("exercise")
    return get_for_staff(user, queryset, public_id)


class UploadApi(APIView):
    """Reads its multipart body through MediaUploadHandler (limits while streaming)."""

    parser_classes = [MultiPartParser]
    permission_classes = [StaffOnly]
    # The API's 1 MB body limit does not apply: the handler bounds the body (apps/core).
    streams_uploads = True

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Session authentication reads the body to find the CSRF token, so the handler is in
        # place before DRF authenticates; a body declared too large is never read past its
        # first file chunk.
        self.refused = declared_too_large(request)
        self.handler = MediaUploadHandler(request, quota_left_for(request), refusal=self.refused)
        request.upload_handlers = [self.handler]
        return super().initialize_request(request, *args, **kwargs)

    def received(self, request: Request) -> Any:
        if self.refused is not None:
            raise Refused(self.refused)
        uploads = request.FILES.getlist("file")
        if self.handler.refusal is not None:
            raise Refused(self.handler.refusal)
        if not uploads:
            raise ValidationError({"file": ["Choose a photo or a video to upload."]})
        if len(uploads) > 1:
            # Keeping one of them (Django keeps the last) would drop the other unsaid.
            raise ValidationError({"file": ["Send one file per upload."]})
        return uploads[0]


def _first(request: Request) -> bool:
    """The optional ``first``: true or false in the usual spellings (true/false, 1/0, on/off,
    yes/no); anything else is a 400 naming it, not silently false."""
    value = request.POST.get("first")
    if value in (None, ""):
        return False
    try:
        return bool(serializers.BooleanField().to_internal_value(value))
    except ValidationError:
        raise ValidationError({"first": ["Give first as true or false."]}) from None


class ExerciseMediaApi(UploadApi):
    def _exercise(self, request: Request, public_id: UUID) -> Exercise:
        user = _user(request)
        return get_for_staff(user, Exercise.objects.visible_to(user), public_id)

    @extend_schema(
        responses=inline_serializer("MediaList", fields={"results": MediaOut(many=True)}),
        operation_id="exercises_media_list",
        summary="Your clinic's photos and videos of an exercise, the first ones first",
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        exercise = self._exercise(request, public_id)
        rows = selectors.exercise_media(clinic_id=_user(request).clinic_id, exercise_id=exercise.pk)
        return Response({"results": MediaOut(rows, many=True).data})

    @extend_schema(
        request={"multipart/form-data": UPLOAD_IN},
        responses={201: MediaOut, 200: MediaOut, 413: TOO_LARGE},
        operation_id="exercises_media_create",
        summary="Upload a photo or a video of an exercise; 200 with the one already there for "
        "a file the exercise has (an upload sent again)",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        exercise = self._exercise(request, public_id)
        upload = self.received(request)
        first = _first(request)
        try:
            media = services.media_upload(
                actor=_user(request), exercise=exercise, upload=upload, first=first,
                request=request,
            )  # fmt: skip
        except MediaRefused as exc:
            raise Refused(exc) from exc
        return Response(MediaOut(media).data, status=created_status(media))


class MediaReplaceApi(UploadApi):
    @extend_schema(
        request={"multipart/form-data": UPLOAD_IN},
        responses={200: MediaOut, 413: TOO_LARGE},
        operation_id="media_replace",
        summary="Replace a photo's or video's file, keeping its place",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        media = _media(request, public_id)
        upload = self.received(request)
        try:
            media = services.media_replace(
                actor=_user(request), media=media, upload=upload, request=request
            )
        except MediaRefused as exc:
            raise Refused(exc) from exc
        return Response(MediaOut(media).data)


class MediaDetailApi(APIView):
    permission_classes = [StaffOnly]

    @extend_schema(responses=MediaOut, operation_id="media_retrieve", summary="A photo or video")
    def get(self, request: Request, public_id: UUID) -> Response:
        return Response(MediaOut(_media(request, public_id)).data)

    @extend_schema(responses={204: None}, operation_id="media_destroy", summary="Delete it")
    def delete(self, request: Request, public_id: UUID) -> Response:
        media = _media(request, public_id)
        services.media_delete(actor=_user(request), media=media, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MediaFirstApi(APIView):
    permission_classes = [StaffOnly]

    @extend_schema(
        request=None,
        responses=MediaOut,
        operation_id="media_first",
        summary="Show this photo or video first to patients",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        media = services.media_make_first(
            actor=_user(request), media=_media(request, public_id), request=request
        )
        return Response(MediaOut(media).data)
