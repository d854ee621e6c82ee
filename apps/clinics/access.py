"""How every view and API endpoint decides who may use it and reaches an object by its public
id: the one place for the rule.

* **A role that may not use the page or endpoint gets a 403.** A patient on a staff page, a
  therapist on a clinic admin's page, staff on the patient's own pages: ``require_staff``,
  ``require_admin``, ``require_patient`` (or the DRF permissions ``StaffOnly``, ``AdminOnly``,
  ``PatientOnly``, which ask the same questions). The role is checked before any object is
  looked up, so the answer never depends on whether the object exists.
* **What a patient's phone kept for one patient is refused (409) under another's session**
  (a family phone): the page names its patient in ``X-Clamshell-Patient``
  (``require_same_patient``), checked before anything is looked up, so it is never filed as
  the other patient's nor refused as bad data (which the phone would drop).
* **A foreign or unknown object is a 404**: the answer never says that it exists. The
  queryset is always scoped by the user first (``Patient.objects.editable_by(user)``,
  ``SetLog.objects.filter(patient=me)``), so another clinic's (or another patient's) object
  is simply not found. ``get_for_staff``, ``get_for_admin`` and ``get_for_patient`` do both
  steps; ``find_in_scope`` is the lookup alone, for an object a form or request body names
  (the caller answers 400 naming the field).

Anonymous visitors never reach these checks: pages send them to sign-in (``login_required``)
and the API answers 401 (its ``IsAuthenticated`` default). Clinics sits low enough (users
and roles live here) for every app above to use it.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission

from apps.clinics.models import User

M = TypeVar("M", bound=Model)


class _HasUser(Protocol):
    """A Django ``HttpRequest`` or a DRF ``Request``."""

    @property
    def user(self) -> Any: ...


class _HasHeaders(Protocol):
    @property
    def headers(self) -> Any: ...


def is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_clinic_staff", False))


def is_admin(user: Any) -> bool:
    """A clinic admin of a clinic (an admin without one has nothing to administer)."""
    return bool(
        user.is_authenticated
        and getattr(user, "is_clinic_admin", False)
        and getattr(user, "clinic_id", None) is not None
    )


def is_patient(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_patient", False))


def staff_user(user: Any) -> User:
    """``user`` when clinic staff (therapist or admin); anyone else is a 403."""
    if not is_staff(user):
        raise PermissionDenied("This page is for clinic staff.")
    return cast(User, user)


def admin_user(user: Any) -> User:
    """``user`` when a clinic admin; a therapist or a patient is a 403."""
    if not is_admin(user):
        raise PermissionDenied("This page is for clinic admins.")
    return cast(User, user)


def patient_user(user: Any) -> User:
    """``user`` when a patient; staff are a 403 (these are the patient's own pages)."""
    if not is_patient(user):
        raise PermissionDenied("This page is for patients.")
    return cast(User, user)


def require_not_patient(request: _HasUser) -> User:
    """The signed-in user unless a patient (a 403): the account pages of everyone who signs in
    with a password, clinic staff and the installation's operators (who are not clinic
    staff). Patients sign in with their personal link and have none of these."""
    if is_patient(request.user):
        raise PermissionDenied("This page is for clinic staff.")
    return cast(User, request.user)


def require_staff(request: _HasUser) -> User:
    """The signed-in clinic staff member (therapist or admin); anyone else gets a 403."""
    return staff_user(request.user)


def require_admin(request: _HasUser) -> User:
    """The signed-in clinic admin; a therapist or a patient gets a 403."""
    return admin_user(request.user)


def require_patient(request: _HasUser) -> User:
    """The signed-in patient's user; staff get a 403."""
    return patient_user(request.user)


# The patient whose page kept what a phone sends (sets, the morning answer, questionnaire
# answers): a family phone signs in one patient after another, and a page of the first left
# open in a tab (or restored by the back button), or the queue it left on the phone, is sent
# under whoever's session the phone holds by then.
PATIENT_HEADER = "X-Clamshell-Patient"
PATIENT_HEADER_PARAMETER = OpenApiParameter(
    PATIENT_HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "The public id of the patient the data belongs to (the phone sends it). When it is "
        "not the signed-in patient the answer is 409 and nothing is saved."
    ),
)


class OtherPatient(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "This was kept on this phone for another patient than the one signed in now: "
        "nothing was saved. It can be sent once that patient signs in again."
    )
    default_code = "other_patient"


def require_same_patient(request: _HasHeaders, public_id: UUID) -> None:
    """Refuse (409) data the phone says is another patient's than the signed-in one, whose
    ``public_id`` is given.

    Not a 400: the data may be good, only the session is someone else's, so the phone keeps
    it for its patient rather than dropping it as refused. Without the header (a page of an
    older release) the request is taken as it always was."""
    sent = (request.headers.get(PATIENT_HEADER) or "").strip().lower()
    if sent and sent != str(public_id):
        raise OtherPatient


def _one(queryset: QuerySet[M], public_id: UUID | str) -> M:
    found = find_in_scope(queryset, public_id)
    if found is None:
        raise Http404  # unknown, not a UUID at all, or another clinic's: all the same
    return found


def get_for_staff(user: Any, queryset: QuerySet[M], public_id: UUID | str) -> M:
    """The object ``public_id`` of a queryset already scoped to ``user``: a 403 when ``user``
    is not clinic staff, a 404 when the object is not there (unknown or another clinic's)."""
    staff_user(user)
    return _one(queryset, public_id)


def get_for_admin(user: Any, queryset: QuerySet[M], public_id: UUID | str) -> M:
    """Like ``get_for_staff`` for what only a clinic admin may use (a therapist gets 403)."""
    admin_user(user)
    return _one(queryset, public_id)


def get_for_patient(user: Any, queryset: QuerySet[M], public_id: UUID | str) -> M:
    """The patient's own object ``public_id`` from a queryset already scoped to that patient:
    a 403 for anyone who is not a patient, a 404 when it is not theirs or not there."""
    patient_user(user)
    return _one(queryset, public_id)


def find_in_scope(queryset: QuerySet[M], public_id: UUID | str | None) -> M | None:
    """The object a form or request body names by ``public_id`` in a queryset already scoped
    to the user, or None when it is not there: the caller answers 400 naming the field (the
    role was checked when the page or endpoint was entered)."""
    if public_id in (None, ""):
        return None
    try:
        # public_id is unique: no ORDER BY (``first()`` would sort the joined rows for nothing).
        return next(iter(queryset.filter(public_id=public_id)[:1]), None)
    except ValidationError:
        return None


class StaffOnly(BasePermission):
    """The API's ``require_staff``: 401 when signed out, 403 for a patient."""

    message = "This endpoint is for clinic staff."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_staff(request.user)


class AdminOnly(BasePermission):
    message = "This endpoint is for clinic admins."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_admin(request.user)


class PatientOnly(BasePermission):
    message = "This endpoint is for patients."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_patient(request.user)
