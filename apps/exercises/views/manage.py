"""Pages where clinic staff add and change their clinic's own exercises, studies, evidence
and ladders. The shared library is read-only: its rows, like another clinic's, are a 404 here.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from apps.clinics.access import get_for_staff, require_staff
from apps.core.forms import add_service_errors
from apps.exercises import ladder_services, selectors, services
from apps.exercises.forms import EvidenceForm, ExerciseForm, LadderForm, StudyForm
from apps.exercises.models import EvidenceValue, Exercise, Ladder

FORM_METHODS = ["GET", "POST"]


def _safe_back(request: HttpRequest) -> str:
    """Where to return after adding a study: a page on this site, else the library."""
    back = request.GET.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return reverse("exercises:library")


def _render(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    form = context["form"]
    status = 400 if isinstance(form, forms.Form) and form.errors else 200
    return render(request, template, context, status=status)


@login_required
@require_http_methods(FORM_METHODS)
def exercise_create(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_create(
                user=user, content=form.content(), client_id=form.cleaned_data["client_id"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{exercise.name} was added to your clinic's library.")
            return redirect("exercises:detail", public_id=exercise.public_id)
    return _render(request, "exercises/exercise_form.html", {"form": form, "exercise": None})


@login_required
@require_http_methods(FORM_METHODS)
def exercise_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    exercise = get_for_staff(user, Exercise.objects.editable_by(user), public_id)
    initial = ExerciseForm.initial_for(exercise)
    form = ExerciseForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.exercise_update(user=user, exercise=exercise, content=form.content())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("exercises:detail", public_id=exercise.public_id)
    return _render(request, "exercises/exercise_form.html", {"form": form, "exercise": exercise})


@login_required
@require_http_methods(FORM_METHODS)
def study_create(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{study.short_name} can now be cited as a source.")
            return redirect(_safe_back(request))
    return _render(request, "exercises/study_form.html", {"form": form})


@login_required
@require_http_methods(FORM_METHODS)
def evidence_add(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    exercise = get_for_staff(user, Exercise.objects.visible_to(user), public_id)
    form = EvidenceForm(request.POST or None, studies=selectors.visible_studies(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(user=user, exercise=exercise, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your clinic's value was added.")
            return redirect("exercises:detail", public_id=exercise.public_id)
    context = {"form": form, "exercise": exercise, "evidence": None}
    return _render(request, "exercises/evidence_form.html", context)


@login_required
@require_http_methods(FORM_METHODS)
def evidence_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    evidence = get_for_staff(
        user, EvidenceValue.objects.editable_by(user).select_related("exercise", "study"), public_id
    )
    exercise = evidence.exercise
    if request.method == "POST" and "delete" in request.POST:
        services.evidence_delete(user=user, evidence=evidence)
        messages.success(request, "Your clinic's value was removed.")
        return redirect("exercises:detail", public_id=exercise.public_id)
    initial = {
        k: getattr(evidence, k) for k in ("study", "muscle", "mvic_percent", "source", "note")
    }
    form = EvidenceForm(
        request.POST or None, studies=selectors.visible_studies(user=user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(user=user, evidence=evidence, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("exercises:detail", public_id=exercise.public_id)
    context = {"form": form, "exercise": exercise, "evidence": evidence}
    return _render(request, "exercises/evidence_form.html", context)


def _ladder_form(request: HttpRequest, ladder: Ladder | None) -> LadderForm:
    user = require_staff(request)
    initial: dict[str, object] | None = None
    if ladder is not None:
        initial = {
            "name": ladder.name,
            "description": ladder.description,
            "advance_at_reps": ladder.advance_at_reps,
        }
        for level in ladder.levels.select_related("exercise"):
            initial[f"level_{level.level}"] = str(level.exercise.public_id)
            initial[f"rule_{level.level}"] = level.advance_rule
            initial[f"target_{level.level}"] = level.advance_target
            initial[f"days_{level.level}"] = level.advance_days
    exercises = Exercise.objects.visible_to(user).order_by("name")
    return LadderForm(
        request.POST or None, exercises=exercises, initial=initial, editing=ladder is not None
    )


@login_required
@require_http_methods(FORM_METHODS)
def ladder_create(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    form = _ladder_form(request, None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ladder = ladder_services.ladder_create(
                user=user,
                name=data["name"],
                description=data["description"],
                advance_at_reps=data["advance_at_reps"],
                exercises=form.exercises(),
                rules=form.rules(),
                client_id=data["client_id"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"The ladder {ladder.name} was created.")
            return redirect("exercises:ladder", public_id=ladder.public_id)
    return _render(request, "exercises/ladder_form.html", {"form": form, "ladder": None})


@login_required
@require_http_methods(FORM_METHODS)
def ladder_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    ladder = get_for_staff(user, Ladder.objects.editable_by(user), public_id)
    form = _ladder_form(request, ladder)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ladder_services.ladder_update(
                user=user,
                ladder=ladder,
                name=data["name"],
                description=data["description"],
                advance_at_reps=data["advance_at_reps"],
                exercises=form.exercises(),
                rules=form.rules(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("exercises:ladder", public_id=ladder.public_id)
    return _render(request, "exercises/ladder_form.html", {"form": form, "ladder": ladder})
