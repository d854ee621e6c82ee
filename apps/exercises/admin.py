"""Operators' view of the library. Shared rows (no clinic) come from ``load_library``, which
restores them on its next run, so lasting changes to the shared library belong in
``apps/exercises/data/``."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.clinics.services import clinic_today_bump
from apps.exercises.models import EvidenceValue, Exercise, Ladder, LadderLevel, Study
from apps.exercises.selectors import ladder_in_use
from apps.exercises.signals import MOVEMENT_FIELDS, hip_movements_changed

T = TypeVar("T", bound=Model)


class TodayBumpAdmin(admin.ModelAdmin[T]):
    """An operator's change to an exercise or a ladder (and its inline rows) reaches every
    patient's Today: every clinic's cached page misses, from the commit of the admin's own
    transaction (rare enough that telling the clinics apart is not worth it)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        clinic_today_bump(clinic_id=None)

    def delete_model(self, request: HttpRequest, obj: T) -> None:
        super().delete_model(request, obj)
        clinic_today_bump(clinic_id=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[T]) -> None:
        super().delete_queryset(request, queryset)
        clinic_today_bump(clinic_id=None)


class EvidenceInline(admin.TabularInline[EvidenceValue, Exercise]):
    model = EvidenceValue
    extra = 0
    fields = ("study", "muscle", "mvic_percent", "confidence", "note", "clinic", "source")
    autocomplete_fields = ("study",)


@admin.register(Exercise)
class ExerciseAdmin(TodayBumpAdmin[Exercise]):
    list_display = ("name", "key", "position", "clinic", "default_sets", "default_reps")
    list_filter = ("position", ("clinic", admin.EmptyFieldListFilter), "clinic")
    search_fields = ("name", "key", "aliases")
    readonly_fields = ("public_id", "updated_at")
    list_select_related = ("clinic",)
    inlines = (EvidenceInline,)
    # A video link typed without its scheme is https, as on the library's own form (and as
    # Django 6 will assume).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Exercise, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and MOVEMENT_FIELDS.intersection(form.changed_data):
            # In the admin's transaction, as exercise_update does.
            hip_movements_changed.send(sender=Exercise, exercise_ids=[obj.pk])


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin[Study]):
    list_display = ("short_name", "key", "year", "is_primary", "clinic")
    list_filter = ("is_primary", ("clinic", admin.EmptyFieldListFilter))
    search_fields = ("short_name", "key", "citation")


@admin.register(EvidenceValue)
class EvidenceValueAdmin(admin.ModelAdmin[EvidenceValue]):
    list_display = ("exercise", "study", "muscle", "mvic_percent", "confidence", "clinic")
    list_filter = ("confidence", "muscle", "study", ("clinic", admin.EmptyFieldListFilter))
    search_fields = ("exercise__name", "exercise__key", "note", "source")
    list_select_related = ("exercise", "study", "clinic")
    readonly_fields = ("public_id", "updated_at")
    autocomplete_fields = ("exercise", "study")


class LadderLevelInline(admin.TabularInline[LadderLevel, Ladder]):
    """A ladder's levels. Once a program uses the ladder, which exercise each level is stays
    fixed (``selectors.ladder_in_use`` says why; the clinic's ladder page and
    ``load_library`` keep the same rule): the exercise and the level's number are read-only
    and no level is added or deleted; the advance rule stays editable, as there."""

    model = LadderLevel
    extra = 0
    autocomplete_fields = ("exercise",)

    def get_readonly_fields(self, request: HttpRequest, obj: Ladder | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "level", "exercise") if _in_use(obj) else fields

    # An inline's own signature (django-stubs marks it the same way).
    def has_add_permission(self, request: HttpRequest, obj: Ladder | None) -> bool:  # type: ignore[override]
        return super().has_add_permission(request, obj) and not _in_use(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Ladder | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not _in_use(obj)


def _in_use(ladder: Ladder | None) -> bool:
    """``ladder_in_use``, asked as the POST is read, so a ladder taken into use after the
    page was drawn is kept too."""
    return ladder_in_use(ladder)


@admin.register(Ladder)
class LadderAdmin(TodayBumpAdmin[Ladder]):
    list_display = ("name", "key", "advance_at_reps", "clinic")
    list_filter = (("clinic", admin.EmptyFieldListFilter),)
    search_fields = ("name", "key")
    readonly_fields = ("public_id", "updated_at")
    inlines = (LadderLevelInline,)
