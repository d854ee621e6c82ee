"""Library pages for clinic staff: the searchable list, an exercise, a ladder."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.clinics.access import get_for_staff, require_staff
from apps.core.htmx import wants_part
from apps.exercises import selectors
from apps.exercises.bands import bands_for
from apps.exercises.forms import LibraryFilterForm
from apps.exercises.panels import exercise_panels, exercise_thumbnails
from apps.exercises.presentation import (
    activation_chart,
    advance_summary,
    evidence_cells,
    ladder_chart,
    ladder_rows,
    library_rows,
)


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    bands = bands_for(user.clinic)
    form = LibraryFilterForm(request.GET, bands=bands)
    rows = []
    if form.is_valid():
        exercises = selectors.exercise_library(user=user, filters=form.filters())
        rows = library_rows(exercises, bands=bands)
        thumbs = exercise_thumbnails(request, [row.exercise.pk for row in rows])
        rows = [replace(row, photo_thumb=thumbs.get(row.exercise.pk, "")) for row in rows]
    # The filters push the page's address (hx-push-url): htmx's restore of it from history
    # asks for the whole page, which it puts in place of the body.
    template = "exercises/_results.html" if wants_part(request) else "exercises/library.html"
    context = {"form": form, "rows": rows, "bands": bands}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_GET
def exercise_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    exercise = get_for_staff(user, selectors.exercise_for_page(user=user), public_id)
    bands = bands_for(user.clinic)
    cells = evidence_cells(
        exercise.visible_evidence,  # type: ignore[attr-defined]
        primary=selectors.primary_study(),
        bands=bands,
    )
    context = {
        "exercise": exercise,
        "cells": cells,
        "chart": activation_chart(cells),
        "bands": bands,
        "can_edit": exercise.clinic_id == user.clinic_id,
        "panels": exercise_panels(request, exercise),
    }
    return render(request, "exercises/exercise_detail.html", context)


@login_required
@require_GET
def ladder_list(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    ladders = selectors.ladders_with_levels(user=user)
    bands = bands_for(user.clinic)
    items = [
        (
            ladder,
            ladder_rows(ladder.levels.all(), bands=bands),
            advance_summary(ladder, ladder.levels.all()),
        )
        for ladder in ladders
    ]
    return render(request, "exercises/ladder_list.html", {"items": items})


@login_required
@require_GET
def ladder_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    ladder = get_for_staff(user, selectors.ladders_with_levels(user=user), public_id)
    bands = bands_for(user.clinic)
    rows = ladder_rows(ladder.levels.all(), bands=bands)
    study = selectors.primary_study()
    context = {
        "ladder": ladder,
        "rows": rows,
        "advance": advance_summary(ladder, ladder.levels.all()),
        "bands": bands,
        "study": study,
        "chart": ladder_chart(rows, study_name=study.short_name if study else "primary study"),
        "can_edit": ladder.clinic_id == user.clinic_id,
    }
    return render(request, "exercises/ladder_detail.html", context)
