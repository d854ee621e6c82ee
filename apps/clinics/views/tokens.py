"""The clinic admin's page for API tokens: list, create (the secret is shown once), revoke.

Creating answers with a redirect to a page that shows the new secret once (Post/Redirect/
Get): the secret waits in the admin's session for that one view, so reloading the page, or
a tab the browser restores, shows no secret and never sends the form again.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.clinics.access import get_for_admin, require_admin
from apps.clinics.models import ApiToken, TokenScope, User
from apps.clinics.selectors import clinic_staff
from apps.clinics.tokens import DEFAULT_LIFETIME, LIFETIMES, api_token_create, api_token_revoke
from apps.core.forms import add_service_errors
from apps.core.once import client_id_field


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Which system will use it, e.g. “EHR sync”.", strip=True
    )
    acts_as = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Acts as",
        help_text="The token reads what this person can read; with read and write access it"
        " can also change what they can change.",
        to_field_name="public_id",
        empty_label=None,
    )
    # Not required: a page drawn before the choice existed gets the default, never an error.
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in LIFETIMES],
        coerce=int,
        required=False,
        initial=DEFAULT_LIFETIME,
        widget=forms.RadioSelect,
        help_text="It then stops working: create its successor before that day.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=TokenScope.choices,
        required=False,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Read only is enough to report or copy data out; choose read and write only"
        " for a system that must change Clamshell's data.",
    )
    client_id = client_id_field()

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = (
            clinic_staff(clinic=admin.clinic).filter(is_active=True).order_by("full_name", "email")
        )
        field = cast(forms.ModelChoiceField[User], self.fields["acts_as"])
        field.queryset = staff
        field.initial = admin.public_id

    def clean_expires_in_days(self) -> int:
        return self.cleaned_data["expires_in_days"] or DEFAULT_LIFETIME

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or TokenScope.READ


def _page(request: HttpRequest, admin: User, form: TokenForm, status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.visible_to(admin).select_related("user")
    return render(
        request, "clinics/api_tokens.html", {"tokens": tokens, "form": form}, status=status
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    admin = require_admin(request)
    form = TokenForm(request.POST or None, admin=admin)
    if request.method == "POST" and form.is_valid():
        try:
            token = _create(request, admin, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("clinics:api-token-created", public_id=token.public_id)
    return _page(request, admin, form, status=400 if form.errors else 200)


def _secret_key(token: ApiToken) -> str:
    return f"api-token-secret:{token.public_id}"


def _create(request: HttpRequest, admin: User, form: TokenForm) -> ApiToken:
    """Create the token and keep its secret in the session for the page that shows it. The
    form sent twice (a double click) gets the same token back with no new secret: both
    answers lead to that page, which shows the first secret."""
    with transaction.atomic():
        token, secret = api_token_create(
            admin=admin,
            user=form.cleaned_data["acts_as"],
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
            scope=form.cleaned_data["scope"],
            client_id=form.cleaned_data["client_id"],
            reissue=False,
        )
        if secret:
            request.session[_secret_key(token)] = secret
            # Saved (database sessions) in the token's transaction: the double click waits on
            # the token's key until this commits, so the page it is sent to finds the secret.
            request.session.save()
            # Not saved again after the response: the shown page may already have removed it.
            request.session.modified = False
    return token


@login_required
@never_cache
@require_GET
def api_token_created(request: HttpRequest, public_id: str) -> HttpResponse:
    admin = require_admin(request)
    token = get_for_admin(admin, ApiToken.objects.visible_to(admin), public_id)
    secret = request.session.pop(_secret_key(token), "")
    return render(request, "clinics/api_token_created.html", {"token": token, "secret": secret})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    admin = require_admin(request)
    token = get_for_admin(admin, ApiToken.objects.visible_to(admin), public_id)
    api_token_revoke(admin=admin, token=token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("clinics:api-tokens")
