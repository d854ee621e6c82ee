"""The clinic admin's staff page: list, invite (a set-password link by email), deactivate,
reset a colleague's two-factor sign-in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_http_methods, require_POST

from apps.clinics.access import get_for_admin, require_admin
from apps.clinics.invitations import (
    staff_invite,
    staff_invite_cancel,
    staff_invite_renew,
    staff_is_invited,
)
from apps.clinics.models import Role, User
from apps.clinics.selectors import (
    clinic_staff,
    staff_active_patients,
    staff_patient_counts,
    staff_with_two_factor,
)
from apps.clinics.services import staff_set_active
from apps.clinics.two_factor import staff_two_factor_reset
from apps.core.forms import add_service_errors
from apps.core.ratelimit import wait_in_words

logger = logging.getLogger(__name__)

MAIL_DOWN = "could not be sent: the mail server did not answer"


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(max_length=254, label="Email (they sign in with it)")
    role = forms.ChoiceField(
        choices=[(Role.THERAPIST, "Therapist"), (Role.ADMIN, "Clinic admin")],
        initial=Role.THERAPIST,
    )


def set_password_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("clinics:set-password", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def link_lasts() -> str:
    """How long a set-password link works (Django's PASSWORD_RESET_TIMEOUT), in words."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    days, rest = divmod(seconds, 24 * 3600)
    span = f"{days} day{'' if days == 1 else 's'}" if days and not rest else wait_in_words(seconds)
    return f"The link works once, for {span}. After that, ask your clinic admin to send a new one."


def _send_invitation(user: User, clinic_name: str) -> None:
    send_mail(
        subject=f"You have a Clamshell account at {clinic_name}",
        message=(
            f"Hello {user.full_name},\n\nChoose your password to start using Clamshell:\n"
            f"{set_password_url(user)}\n\n{link_lasts()} Sign in afterwards with "
            f"{user.email}."
        ),
        from_email=None,
        recipient_list=[str(user.email)],
    )


def _send_reactivation(user: User, clinic_name: str) -> None:
    send_mail(
        subject=f"Your Clamshell account at {clinic_name} is active again",
        message=(
            f"Hello {user.full_name},\n\nYour account was switched back on. Choose a new "
            f"password to sign in again:\n{set_password_url(user)}\n\n{link_lasts()}"
        ),
        from_email=None,
        recipient_list=[str(user.email)],
    )


def _emailed(
    request: HttpRequest, send: Callable[[User, str], None], staff: User, clinic: str, failed: str
) -> bool:
    """Send one of these emails; if the mail server fails, say so (``failed``, what the admin
    can do) instead of a 500: the change it follows is saved and stays."""
    try:
        send(staff, clinic)
    except OSError:  # smtplib's errors are OSErrors too: refused, timed out, rejected
        logger.warning("staff email to user %s not sent", staff.pk, exc_info=True)
        messages.error(request, failed)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    """The page, and what is posted to it: an invitation, or a ``change`` to the
    ``colleague`` it names. Posted here, a refusal is answered at the page's own address
    (reloading it shows the page, not an empty 405)."""
    admin = require_admin(request)
    if request.method == "POST" and "change" in request.POST:
        return _change(request, admin)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(admin=admin, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            failed = (
                f"{user.full_name} was added, but the invitation email {MAIL_DOWN}. "
                "Use Resend invitation in a few minutes."
            )
            if _emailed(request, _send_invitation, user, str(admin.clinic), failed):
                messages.success(request, f"{user.full_name} was invited by email.")
            return redirect("clinics:staff")
    return staff_page(request, admin, form, status=400 if form.errors else 200)


@dataclass(frozen=True)
class StaffRow:
    """A colleague on the staff page, with what the page offers for them."""

    person: User
    invited: bool
    two_factor: bool  # an authenticator app paired: the page offers to reset it
    patients: int  # active patients they look after: the page offers to hand them over


def staff_page(
    request: HttpRequest,
    admin: User,
    form: StaffInviteForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The staff page: a ``StaffRow`` for each colleague; ``status`` 400 for a refusal said
    in a message, ``extra`` what else the page shows (``refused``: a deactivation refused
    for the patients named)."""
    staff = clinic_staff(clinic=admin.clinic).order_by("-is_active", "full_name")
    paired = staff_with_two_factor(clinic=admin.clinic)
    patients = staff_patient_counts(clinic=admin.clinic)
    people = [
        StaffRow(person, staff_is_invited(person), person.pk in paired, patients.get(person.pk, 0))
        for person in staff
    ]
    context = {"form": form or StaffInviteForm(), "people": people} | extra
    return render(request, "clinics/staff.html", context, status=status)


def _colleague(admin: User, public_id: UUID | str) -> User:
    """A staff member of the admin's clinic; anyone else (another clinic's) is a 404."""
    return get_for_admin(admin, clinic_staff(clinic=admin.clinic), public_id)


def _change(request: HttpRequest, admin: User) -> HttpResponse:
    staff = _colleague(admin, request.POST.get("colleague", ""))
    change = request.POST["change"]
    if change in {"deactivate", "reactivate"}:
        return _set_active(request, admin, staff, active=change == "reactivate")
    if change == "reset-two-factor":
        return _reset_two_factor(request, admin, staff)
    messages.error(
        request, "That change is not one this page makes. Reload the page and try again."
    )
    return staff_page(request, admin, status=400)


def _set_active(request: HttpRequest, admin: User, staff: User, *, active: bool) -> HttpResponse:
    try:
        staff_set_active(admin=admin, staff=staff, active=active)
    except ValidationError as error:
        looked_after = staff_active_patients(staff)
        if not active and looked_after.count:
            # Said with each patient's name linked to where they are handed to a colleague.
            refused = {"staff": staff, "patients": looked_after}
            return staff_page(request, admin, status=400, refused=refused)
        messages.error(request, " ".join(error.messages))
        return staff_page(request, admin, status=400)
    if active:
        # Deactivation made the old password unusable: the colleague chooses a new one.
        failed = (
            f"{staff.full_name} is active again, but the email with a link to choose a new "
            f"password {MAIL_DOWN}. Deactivate and reactivate them in a few minutes to send it."
        )
        if _emailed(request, _send_reactivation, staff, str(admin.clinic), failed):
            messages.success(
                request, f"{staff.full_name} was sent a link to choose a new password."
            )
    else:
        messages.success(
            request, f"{staff.full_name} was deactivated: signed out everywhere, tokens revoked."
        )
    return redirect("clinics:staff")


@login_required
@require_POST
def staff_resend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Send the invitation again with a new link; the link in the earlier email stops working."""
    admin = require_admin(request)
    staff = _colleague(admin, public_id)
    try:
        staff_invite_renew(admin=admin, staff=staff)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        failed = (
            f"The earlier link no longer works, but the invitation email {MAIL_DOWN}. "
            "Use Resend invitation in a few minutes."
        )
        if _emailed(request, _send_invitation, staff, str(admin.clinic), failed):
            messages.success(
                request,
                f"A new invitation was sent to {staff.email}. The earlier link no longer works.",
            )
    return redirect("clinics:staff")


@login_required
@require_POST
def staff_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    admin = require_admin(request)
    staff = _colleague(admin, public_id)
    name = staff.full_name
    try:
        staff_invite_cancel(admin=admin, staff=staff)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation for {name} was cancelled.")
    return redirect("clinics:staff")


def _reset_two_factor(request: HttpRequest, admin: User, staff: User) -> HttpResponse:
    """Unpair a colleague's authenticator app and sign them out everywhere (a lost phone)."""
    try:
        staff_two_factor_reset(admin=admin, staff=staff)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return staff_page(request, admin, status=400)
    messages.success(
        request,
        f"Two-factor sign-in for {staff.full_name or staff.email} was reset: they are signed "
        "out everywhere, and sign in with their password alone until they pair a new phone on "
        "their Two-factor page.",
    )
    return redirect("clinics:staff")
