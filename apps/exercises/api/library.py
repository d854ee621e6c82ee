"""The library's read API under /api/v1/: exercises, evidence and ladders.

For clinic staff only (a patient gets 403): the shared library plus the caller's clinic's own
rows. Query parameters are validated by the same forms as the library page, so a bad value
is a 400 whose message names the parameter.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from apps.clinics.access import StaffOnly, get_for_staff
from apps.clinics.models import User
from apps.exercises import selectors
from apps.exercises.bands import bands_for
from apps.exercises.forms import EvidenceFilterForm, LibraryFilterForm
from apps.exercises.models import EvidenceValue, Exercise, Ladder
from apps.exercises.serializers import EvidenceOut, ExerciseDetailOut, ExerciseOut, LadderOut


def _valid(form: forms.Form) -> None:
    """Raise a 400 naming each bad parameter."""
    if not form.is_valid():
        raise ValidationError(
            {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        )


def _param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, description=description)


LIBRARY_PARAMETERS = [
    _param("q", "Search in names and aliases."),
    _param("muscle", "Target muscle, e.g. gluteus_medius."),
    _param("position", "side_lying, supine, prone, quadruped, plank or standing."),
    _param("equipment", "mat, mini_band, step, wall, or none for no equipment."),
    _param("band", "Activation band: low, moderate, high or very_high (the clinic's bounds)."),
    _param("ordering", "name, -name, gluteus_medius, -gluteus_medius, gluteus_maximus, ..."),
]


class LibraryApi(generics.GenericAPIView[Any]):
    """Shared parts of the library endpoints; query parameters are validated by forms."""

    permission_classes = (StaffOnly,)
    filter_backends = ()
    lookup_field = "public_id"

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_object(self) -> Any:
        return get_for_staff(self.user, self.get_queryset(), self.kwargs[self.lookup_field])


@extend_schema(parameters=LIBRARY_PARAMETERS, summary="Exercises, filtered and ordered")
class ExerciseListApi(LibraryApi, generics.ListAPIView[Exercise]):
    serializer_class = ExerciseOut

    def get_queryset(self) -> QuerySet[Exercise]:
        form = LibraryFilterForm(self.request.query_params, bands=bands_for(self.user.clinic))
        _valid(form)
        return selectors.exercise_library(user=self.user, filters=form.filters())


@extend_schema(summary="An exercise with its instructions and evidence")
class ExerciseDetailApi(LibraryApi, generics.RetrieveAPIView[Exercise]):
    serializer_class = ExerciseDetailOut

    def get_queryset(self) -> QuerySet[Exercise]:
        return selectors.exercise_for_page(user=self.user)


@extend_schema(
    parameters=[
        _param("exercise", "An exercise id."),
        _param("study", "A study key, e.g. boren-2011."),
        _param("muscle", "A muscle, e.g. gluteus_medius."),
        _param("confidence", "source-document, corroborated, single-source, inferred, clinic."),
    ],
    summary="%MVIC values",
)
class EvidenceListApi(LibraryApi, generics.ListAPIView[EvidenceValue]):
    serializer_class = EvidenceOut

    def get_queryset(self) -> QuerySet[EvidenceValue]:
        keys = set(selectors.visible_studies(user=self.user).values_list("key", flat=True))
        form = EvidenceFilterForm(self.request.query_params, study_keys=keys)
        _valid(form)
        data = form.cleaned_data
        return selectors.evidence_list(
            user=self.user,
            exercise_public_id=str(data["exercise"] or ""),
            study_key=data["study"],
            muscle=data["muscle"],
            confidence=data["confidence"],
        )


@extend_schema(summary="Progression ladders with their levels and %MVIC")
class LadderListApi(LibraryApi, generics.ListAPIView[Ladder]):
    serializer_class = LadderOut

    def get_queryset(self) -> QuerySet[Ladder]:
        return selectors.ladders_with_levels(user=self.user)


@extend_schema(summary="A ladder with its levels and their %MVIC")
class LadderDetailApi(LibraryApi, generics.RetrieveAPIView[Ladder]):
    serializer_class = LadderOut

    def get_queryset(self) -> QuerySet[Ladder]:
        return selectors.ladders_with_levels(user=self.user)
