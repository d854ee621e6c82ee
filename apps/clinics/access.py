"""How a view or API endpoint reaches an object by its public id: one place for the rule.

A foreign or unknown object is a 404: the answer never says that it exists. The queryset is
always scoped by the user first (``Patient.objects.editable_by(user)``,
``Program.objects.editable_by(user)``), so another clinic's object is simply not found.
Clinics sits low enough (users and roles live here) for every app above to use it.
"""

from __future__ import annotations

from typing import TypeVar, cast
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from apps.clinics.models import User

M = TypeVar("M", bound=Model)


def staff_member(request: HttpRequest) -> User:
    """The signed-in clinic staff member; anyone else (a patient) gets a 404."""
    user = cast(User, request.user)
    if not user.is_clinic_staff:
        raise Http404
    return user


def get_for_staff(user: User, queryset: QuerySet[M], public_id: UUID | str) -> M:
    """The object ``public_id`` of a queryset already scoped to ``user``; a 404 when it is not
    there or when ``user`` is not clinic staff."""
    if not user.is_clinic_staff:
        raise Http404
    return get_object_or_404(queryset, public_id=public_id)
