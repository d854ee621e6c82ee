"""The builder's item operations: search the library, add, change, move and remove items.

Each answers an htmx request with the items section (and a status message swapped out of
band); without JavaScript the same forms post normally and come back to the builder page.
Invalid input is a 400 that shows the form with its messages; without JavaScript that page is
at the endpoint's address, and a GET of it (reloaded, from the history) leads back to the
builder at its items (``post_only``), never to an empty 405.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.clinics.access import find_in_scope, require_staff
from apps.clinics.models import User
from apps.core.forms import add_service_errors, changed_values
from apps.core.htmx import fragment_of
from apps.core.post_only import post_only
from apps.exercises.models import Exercise, Ladder
from apps.exercises.selectors import LibraryFilters
from apps.programs import builder, item_order, item_services, staff_selectors
from apps.programs.duplicates import running_for
from apps.programs.forms import (
    AddExerciseForm,
    AddLadderForm,
    DoseForm,
    MoveForm,
)
from apps.programs.models import Program, ProgramItem
from apps.programs.views.programs import editable_program, item_rows, render_builder

# The builder drew the item, so an item no longer among the program's current ones was
# removed since (another tab, a colleague): said in words, where a 404 showed nothing at all.
ITEM_GONE = (
    "This exercise was removed from the program in another window; "
    "reload to see the current program."
)
ITEM_GONE_PAGE = (
    "This exercise was removed from the program in another window: "
    "this is the current program. Nothing was changed."
)


def _builder_items(request: HttpRequest, public_id: UUID, item_id: UUID | None = None) -> str:
    """The builder at its items: the page whose forms these endpoints take. The program is
    found as the endpoints find it (another clinic's is a 404); the item need not be there
    any more (removed in another window), the builder shows the program as it is now."""
    program = editable_program(require_staff(request), public_id)
    return reverse("programs:builder", args=[program.public_id]) + "#items"


def _item(user: User, program: Program, public_id: UUID) -> ProgramItem | None:
    """The program's current item ``public_id``, or None when it is not (or no longer) one;
    the program itself was already found through the access helper (``editable_program``)."""
    return find_in_scope(staff_selectors.program_current_items(program=program), public_id)


def _item_gone(request: HttpRequest, program: Program) -> HttpResponse:
    """409: the item is gone. htmx swaps no section for it: builder.js puts the words in the
    status line. Without JavaScript, the builder page as it now is, with the message."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(ITEM_GONE, status=409, content_type="text/plain; charset=utf-8")
    messages.error(request, ITEM_GONE_PAGE)
    return render_builder(request, program, status=409)


def _items_section(
    request: HttpRequest, program: Program, *, status: int = 200, message: str = "", **extra: Any
) -> HttpResponse:
    """The items section for htmx, or the whole builder page (a redirect when it worked).
    The page says a refusal's ``message`` at its top, as htmx does in the status line: a
    move or a removal has no field of the page to show it under."""
    if not request.htmx:  # type: ignore[attr-defined]
        if status == 200:
            messages.success(request, message)
            return redirect(reverse("programs:builder", args=[program.public_id]) + "#items")
        messages.error(request, message)
        return render_builder(request, program, status=status, **extra)
    error_item, dose_form = extra.get("error_item"), extra.get("dose_form")
    context = {
        "program": program,
        "rows": item_rows(program, error_item, dose_form),
        "message": message,
        "oob": True,
    }
    return render(request, "programs/_items.html", context, status=status)


def _named(form: Form, name: str, message: str) -> str:
    """A field's message in the status line, which shows them all: "Sets: Give a whole number
    from 1 to 20." (the field's own message sits under it, where its label is seen)."""
    field = form.fields.get(name)
    label = (
        field.label if field is not None and field.label else name.replace("_", " ").capitalize()
    )
    return message if name == "__all__" else f"{label!s}: {message}"


def _apply(
    request: HttpRequest, program: Program, form: Form, action: Callable[[], str], **errors: Any
) -> HttpResponse:
    """Run ``action`` (a service call returning the status message) when the form is valid."""
    if form.is_valid():
        try:
            message = action()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _items_section(request, program, message=message)
    problems = " ".join(
        _named(form, name, str(message)) for name, found in form.errors.items() for message in found
    )
    message = f"Not saved: {problems}" if problems else "Not saved."
    return _items_section(request, program, status=400, message=message, **errors)


@login_required
@post_only(_builder_items)
def item_add_exercise(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = AddExerciseForm(request.POST)

    def add() -> str:
        exercise = find_in_scope(Exercise.objects.visible_to(user), form.cleaned_data["exercise"])
        if exercise is None:  # a field of the form, not the page: a 400 naming it
            raise ValidationError({"exercise": "Choose an exercise from your clinic's library."})
        spec = item_services.ItemSpec(
            exercise=exercise,
            precaution_override=form.cleaned_data["precaution_override"],
            confirm_duplicate_ladder=form.cleaned_data["confirm_duplicate_ladder"],
        )
        key = form.cleaned_data["client_id"]
        item = item_services.program_item_add(
            actor=user, program=program, spec=spec, client_id=key, request=request
        )
        return f"Added {item.exercise}."

    return _apply(request, program, form, add, exercise_form=form)


@login_required
@post_only(_builder_items)
def item_add_ladder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = AddLadderForm(request.POST)

    def add() -> str:
        ladder = find_in_scope(Ladder.objects.visible_to(user), form.cleaned_data["ladder"])
        if ladder is None:
            raise ValidationError(
                {"ladder": "Choose a progression ladder from your clinic's library."}
            )
        spec = item_services.ItemSpec(
            ladder=ladder,
            level=form.cleaned_data["level"],
            precaution_override=form.cleaned_data["precaution_override"],
            confirm_duplicate_ladder=form.cleaned_data["confirm_duplicate_ladder"],
        )
        key = form.cleaned_data["client_id"]
        item_services.program_item_add(
            actor=user, program=program, spec=spec, client_id=key, request=request
        )
        return f"Added {ladder.name} at level {form.cleaned_data['level']}."

    return _apply(request, program, form, add, ladder_form=form)


@login_required
@post_only(_builder_items)
def item_update(request: HttpRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    item = _item(user, program, item_id)
    if item is None:
        return _item_gone(request, program)
    form = DoseForm.for_update(item, request.POST, auto_id=f"id_{item.public_id}_%s")

    def update() -> str:
        # Only what this person changed: a colleague's change to the item's other fields,
        # saved while this page was open, is kept.
        item_services.program_item_update(
            actor=user, item=item, request=request, **changed_values(form)
        )
        return "Dose saved."

    return _apply(request, program, form, update, error_item=item.public_id, dose_form=form)


@login_required
@post_only(_builder_items)
def item_remove(request: HttpRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    item = _item(user, program, item_id)
    if item is None:
        return _item_gone(request, program)

    def remove() -> str:
        item_services.program_item_remove(actor=user, item=item, request=request)
        return "Item removed."

    return _apply(request, program, Form(request.POST), remove)


@login_required
@post_only(_builder_items)
def item_move(request: HttpRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    item = _item(user, program, item_id)
    if item is None:
        return _item_gone(request, program)
    form = MoveForm(request.POST)

    def move() -> str:
        offset = -1 if form.cleaned_data["direction"] == "up" else 1
        item_order.program_item_move(actor=user, item=item, offset=offset, request=request)
        return f"Moved {form.cleaned_data['direction']}."

    return _apply(request, program, form, move)


def _builder_search(request: HttpRequest, public_id: UUID) -> str:
    """The builder with the same search: its search form, sent without JavaScript, asks the
    builder page itself, which draws these results in place. The program is found as the
    search finds it (another clinic's is a 404)."""
    program = editable_program(require_staff(request), public_id)
    query = request.GET.urlencode()
    builder_url = reverse("programs:builder", args=[program.public_id])
    return builder_url + (f"?{query}" if query else "") + "#search-results"


@login_required
@require_GET
@fragment_of(_builder_search)
def exercise_search(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: User = require_staff(request)
    program = editable_program(user, public_id)
    search = builder.search_form(data=request.GET, clinic=program.clinic)
    if search.is_bound and not search.is_valid():
        context = {"program": program, "search": search, "results": []}
        return render(request, "programs/_search_results.html", context, status=400)
    filters = search.filters() if search.is_bound else LibraryFilters()
    results = builder.search_results(
        user=user, filters=filters, clinic=program.clinic,
        precautions=builder.precautions(program),
        # Which results are levels of a ladder running for the patient: one query.
        running=running_for(program),
    )  # fmt: skip
    context = {
        "program": program, "results": results, "search": search,
        "searched": filters.narrows, "order": filters.ordering_label,
    }  # fmt: skip
    return render(request, "programs/_search_results.html", context)
