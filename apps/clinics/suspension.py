"""A suspended clinic (``Clinic.suspended_at``, set by an operator) opens nothing to its people.

Every request of its staff and patients is refused in one of two places, each reading the
clinic already joined to who asks, so no request makes a query more for it:

* ``SuspendedClinicMiddleware`` (apps.clinics.middleware), for a session (every page, and
  the API without a token): the signed-in user is read with their clinic
  (``ClinicUserBackend``). A page answers 403 in the app's layout, saying so; the API a 403
  in JSON with the same words and ``"code": "clinic_suspended"`` (which the patient's phone
  reads to keep its sets, see ``js/today/sync.mjs``).
* ``ApiTokenAuthentication``, for an API token (read with its user and their clinic), which
  raises ``ClinicSuspended``: a request that sends a token is judged by the token alone.

The sign-in pages refuse with the same words only to someone who proved who they are (the
right password, year of birth or emailed link), so that nobody learns from them whether an
address or a link belongs to anyone. Nothing is ended or deleted: resuming the clinic brings
every session, token and link back.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import status
from rest_framework.exceptions import APIException

from apps.clinics.models import Clinic

SUSPENDED_CODE = "clinic_suspended"
STAFF_MESSAGE = (
    "Your clinic's Clamshell account is suspended; contact your Clamshell provider to have it "
    "resumed. Nothing has been deleted: everything opens again once it is."
)


def patient_message(clinic: Clinic) -> str:
    # A patient's way to the clinic is its phone number (the one Today gives after a pain).
    contact = f"your clinic on {clinic.phone}" if clinic.phone else "your clinic"
    return (
        f"Your clinic's Clamshell account is suspended; contact {contact}. Nothing you logged "
        "is lost: your exercises open again once it is resumed."
    )


def suspended_message(user: Any) -> str:
    """The words for ``user`` (staff or patient) of a suspended clinic."""
    return patient_message(user.clinic) if user.is_patient else STAFF_MESSAGE


def suspended_clinic(user: Any) -> Clinic | None:
    """The user's clinic when it is suspended, else None. No query: the clinic is read with
    the user (a user of no clinic, an operator, has none)."""
    if not user.is_authenticated or user.clinic_id is None:
        return None
    clinic: Clinic = user.clinic
    return clinic if clinic.is_suspended else None


class ClinicSuspended(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = STAFF_MESSAGE
    default_code = SUSPENDED_CODE
    # apps.core.api puts it in the body as "code": the phone tells it from a sign-in ended.
    body_code = SUSPENDED_CODE


NOT_SAVED = "What you just sent was not saved: send it again once the account is resumed."


# An htmx request is answered by reloading the page whole (``HX-Refresh``), a new request
# that sent nothing: the session carries the fact that the refused one did to that reload.
NOT_SAVED_SESSION_KEY = "clinic_suspended_not_saved_at"
# The reload follows at once. A mark older than this is a reload that never came (the
# connection dropped): a page opened later must not speak of a form sent long before.
NOT_SAVED_CARRIED_FOR = 60


def mark_not_saved(request: HttpRequest) -> None:
    """Remember, for the reload that follows, that ``request`` sent something not saved."""
    request.session[NOT_SAVED_SESSION_KEY] = int(time.time())


def took_not_saved(request: HttpRequest) -> bool:
    """Whether a refused htmx request marked what it sent as not saved just before; the mark
    is taken off, so only the reload after it says so. No session write when none is set."""
    marked = request.session.pop(NOT_SAVED_SESSION_KEY, None)
    return marked is not None and time.time() - marked <= NOT_SAVED_CARRIED_FOR


def suspended_page(
    request: HttpRequest, user: Any, *, refused_a_form: bool = False
) -> HttpResponse:
    """The page that says so (403) to ``user``, in the app's layout without its menu of pages
    (each would be refused too); staff keep their Sign out. ``refused_a_form``: the request
    sent something (a set from Today without its script, a program's changes) that is
    therefore lost, which the page must say, or "nothing is lost" would mislead."""
    return suspended_page_saying(
        request, suspended_message(user), not_saved=NOT_SAVED if refused_a_form else ""
    )


def suspended_page_saying(
    request: HttpRequest, message: str, *, not_saved: str = ""
) -> HttpResponse:
    """``suspended_page`` with its words given (a patient signing in: ``patient_message``)."""
    context = {"message": message, "not_saved": not_saved}
    return render(request, "clinics/suspended.html", context, status=403)


def suspended_json(user: Any) -> JsonResponse:
    body = {"message": suspended_message(user), "errors": {}, "code": SUSPENDED_CODE}
    return JsonResponse(body, status=403)
