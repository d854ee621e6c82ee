"""Copying a starter program into the clinic's own templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.clinics.access import require_staff
from apps.core.once import posted_client_id
from apps.programs.starter_services import starter_copy
from apps.programs.starters import starter_by_key


@login_required
@require_POST
def starter_copy_view(request: HttpRequest, key: str) -> HttpResponse:
    """Starters are the same for every clinic; the copy belongs to the user's clinic only."""
    user = require_staff(request)
    starter = starter_by_key(key)
    if starter is None:
        raise Http404
    try:
        template = starter_copy(
            actor=user, starter=starter, client_id=posted_client_id(request.POST)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programs:list")
    messages.success(
        request,
        f"“{template.name}” is now one of your clinic's templates: change it as you like, "
        "then assign it to a patient.",
    )
    return redirect("programs:builder", template.public_id)
