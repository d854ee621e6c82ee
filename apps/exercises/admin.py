"""Operators' view of the library. Shared rows (no clinic) come from ``load_library``, which
restores them on its next run, so lasting changes to the shared library belong in
``apps/exercises/data/``."""

from __future__ import annotations

from django.contrib import admin

from apps.exercises.models import EvidenceValue, Exercise, Ladder, LadderLevel, Study


class EvidenceInline(admin.TabularInline[EvidenceValue, Exercise]):
    model = EvidenceValue
    extra = 0
    fields = ("study", "muscle", "mvic_percent", "confidence", "note", "clinic", "source")
    autocomplete_fields = ("study",)


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin[Exercise]):
    list_display = ("name", "key", "position", "clinic", "default_sets", "default_reps")
    list_filter = ("position", ("clinic", admin.EmptyFieldListFilter), "clinic")
    search_fields = ("name", "key", "aliases")
    readonly_fields = ("public_id", "updated_at")
    list_select_related = ("clinic",)
    inlines = (EvidenceInline,)


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
    model = LadderLevel
    extra = 0
    autocomplete_fields = ("exercise",)


@admin.register(Ladder)
class LadderAdmin(admin.ModelAdmin[Ladder]):
    list_display = ("name", "key", "advance_at_reps", "clinic")
    list_filter = (("clinic", admin.EmptyFieldListFilter),)
    search_fields = ("name", "key")
    readonly_fields = ("public_id", "updated_at")
    inlines = (LadderLevelInline,)
