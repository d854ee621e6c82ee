"""Staff sign-in (email and password, then a TOTP code when two-factor is on), sign-out, turning
two-factor on, and choosing a password from an emailed link."""

from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import (
    INTERNAL_RESET_SESSION_TOKEN,
    PasswordResetConfirmView,
    redirect_to_login,
)
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics import services
from apps.clinics.access import require_not_patient
from apps.clinics.backends import SIGN_IN_BACKEND
from apps.clinics.forms import StaffSignInForm, TOTPForm
from apps.clinics.invitations import staff_password_choose
from apps.clinics.middleware import staff_session_started
from apps.clinics.models import User
from apps.clinics.selectors import totp_wait_seconds
from apps.clinics.suspension import suspended_clinic, suspended_page
from apps.clinics.two_factor import two_factor_required

PENDING_USER = "pending_two_factor_user"
PENDING_NEXT = "pending_two_factor_next"


def _wait_message(device: TOTPDevice | None) -> str:
    """Why a code, right or not, was refused while the device is throttled ("" when it is
    not): saying "not right" sent people re-scanning a code that was fine."""
    seconds = totp_wait_seconds(device) if device is not None else 0
    if not seconds:
        return ""
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"Too many wrong codes in a row. Wait {seconds} {unit}, then enter the code your app shows."
    )


def _safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` asked for when it stays on this site, else ``default`` (the dashboard)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or str(settings.LOGIN_REDIRECT_URL)


def _finish_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    login(request, user, backend=SIGN_IN_BACKEND)
    staff_session_started(request)
    request.session.set_expiry(int(settings.STAFF_SESSION_MAX_AGE.total_seconds()))
    return redirect(next_url)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = StaffSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"].lower(),
            password=form.cleaned_data["password"],
        )
        staff = user if isinstance(user, User) else None
        if staff is not None and (staff.is_clinic_staff or staff.is_staff or staff.is_superuser):
            if suspended_clinic(staff) is not None:
                # Told only after the right password: a stranger learns nothing of the address.
                return suspended_page(request, staff)
            next_url = _safe_next(request)
            if services.confirmed_totp_device(staff) is not None:
                request.session[PENDING_USER] = staff.pk
                request.session[PENDING_NEXT] = next_url
                return redirect("clinics:verify")
            return _finish_sign_in(request, staff, next_url)
        form.add_error(None, "That email and password do not match an account.")
    status = 400 if form.errors else 200
    return render(
        request, "clinics/sign_in.html", {"form": form, "next": _safe_next(request)}, status=status
    )


@require_http_methods(["GET", "POST"])
def operator_sign_in(request: HttpRequest) -> HttpResponse:
    """Django admin's own login form, replaced: it signs in with a password alone, so an
    operator's authenticator app was never asked for. Operators sign in here like staff
    (lockout, then the code when two-factor is on) and come back to the admin page."""
    return redirect_to_login(_safe_next(request, reverse("admin:index")), "clinics:login")


def _signed_in_without_code(request: HttpRequest) -> User | None:
    """The signed-in member of staff whose session has not given a code although they have an
    app paired (they signed in before pairing it, in another browser), or None: a clinic
    that requires two-factor sends them here for it."""
    staff = request.user
    if not staff.is_authenticated:
        return None
    if not staff.is_clinic_staff or staff.is_verified():  # type: ignore[attr-defined]
        return None
    return staff if services.confirmed_totp_device(staff) is not None else None


@require_http_methods(["GET", "POST"])
def verify_two_factor(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    signed_in = _signed_in_without_code(request) if user is None else None
    user = user or signed_in
    if user is None:
        return redirect("clinics:login")
    form = TOTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.confirmed_totp_device(user)
        wait = _wait_message(device)
        if not wait and device is not None and device.verify_token(form.cleaned_data["token"]):
            if signed_in is not None:
                # Already signed in: the code is all the session lacked (its 12 hours run on).
                otp_login(request, device)
                return redirect(_safe_next(request))
            next_url = request.session.pop(PENDING_NEXT, settings.LOGIN_REDIRECT_URL)
            request.session.pop(PENDING_USER, None)
            if suspended_clinic(user) is not None:  # suspended since the password was given
                return suspended_page(request, user)
            response = _finish_sign_in(request, user, next_url)
            otp_login(request, device)
            return response
        form.add_error("token", wait or "That code is not right. Check your app and try again.")
    context = {"form": form, "required": signed_in is not None and two_factor_required(user)}
    return render(request, "clinics/verify.html", context, status=400 if form.errors else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("clinics:login")


def _key_to_type(device: TOTPDevice) -> str:
    """The device's key as authenticator apps take it typed: base32 (RFC 4648) without
    padding, in groups of four for reading. ``device.key`` is hex, which they refuse."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    # Refused before anything is read or written: each visit starts (or restarts) a pairing.
    user = require_not_patient(request)
    if services.confirmed_totp_device(user) is not None:
        return render(request, "clinics/two_factor.html", {"enabled": True})
    required = two_factor_required(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.totp_device_start(user=user)
    form = TOTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = _wait_message(device)
        if not wait and services.totp_device_confirm(
            device=device, token=form.cleaned_data["token"], request=request
        ):
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on.")
            # Sent here by the clinic's requirement: on to the page that was asked for.
            return redirect(_safe_next(request, reverse("clinics:two-factor")))
        form.add_error("token", wait or "That code is not right. Scan the code again and retry.")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    context = {
        "enabled": False,
        "required": required,
        "form": form,
        "qr": qr,
        "secret": _key_to_type(device),
    }
    return render(request, "clinics/two_factor.html", context, status=400 if form.errors else 200)


class StaffSetPasswordView(PasswordResetConfirmView):
    """The emailed one-use link (invitation or reactivation) where a colleague chooses their
    password: Django's view, but the password is set by ``staff_password_choose``, which
    records it in the audit log."""

    template_name = "clinics/set_password.html"
    success_url = reverse_lazy("clinics:login")
    post_reset_login = False

    # Refused while the colleague's clinic is suspended, and only for a link that works (Django
    # has checked it by now): a forged one says only that it does not work. The link keeps
    # working once the clinic is resumed (until it expires).
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.validlink and suspended_clinic(self.user) is not None:
            return suspended_page(request, self.user)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.validlink and suspended_clinic(self.user) is not None:
            return suspended_page(request, self.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        staff, password = cast(User, self.user), form.cleaned_data["new_password1"]
        staff_password_choose(staff=staff, password=password, request=self.request)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            f"Your password is saved. Sign in with {staff.email} and your new password.",
        )
        return HttpResponseRedirect(self.get_success_url())
