"""API tokens for integrations: creation, revocation and the DRF authentication class.

A token acts as one staff member of a clinic (the admin who made it, or a therapist they
chose) and can do what that person can do through the API: everything, or only reading
(``TokenScope``: read only unless its admin chooses otherwise). The secret is shown once,
at creation; only its SHA-256 is stored, so a copy of the database lets nobody in. Every token
expires (``LIFETIMES``): one that leaks stops working some day without anyone noticing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat, timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from apps.clinics.models import ApiToken, TokenScope, User
from apps.clinics.signals import TokenChange, api_token_changed
from apps.clinics.suspension import ClinicSuspended, suspended_clinic, suspended_message
from apps.core import ratelimit
from apps.core.once import create_once, replayed, request_print

# A public marker that makes leaked tokens easy to spot in logs and code; not a secret.
TOKEN_PREFIX = "cls_"  # noqa: S105  # nosec B105
# Recording every use would make every API call a write: once a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEYWORDS = (b"bearer", b"token")
# DRF checks throttles only after authentication and permissions pass, so wrong tokens are
# counted here: this many per client address per window, then 429 until the window ends.
FAILED_TOKENS_PER_WINDOW = 20
FAILED_TOKEN_WINDOW_SECONDS = 600
# The lifetimes an admin chooses from, in days; no "never". The page and API offer these.
LIFETIMES = (30, 90, 365)
DEFAULT_LIFETIME = 90
LIFETIME_CHOICE = "Choose how long the token lives: 30, 90 or 365 days."
SCOPE_CHOICE = "Choose read only or read and write."
READ_ONLY = (
    "This API token is read-only: it may only read (GET, HEAD, OPTIONS), so nothing was"
    " changed. Ask a clinic admin for a read-and-write token to make changes."
)
EXPIRED = "This API token expired on {day}; ask a clinic admin for a new one."
ALREADY_CREATED = (
    "This form already created the token “{name}”, which has been used or revoked since: reload"
    " the page to create another."
)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_create(*, admin: User, user: User, name: str, expires_in_days: int, scope: str) -> None:
    errors: dict[str, str] = {}
    if expires_in_days not in LIFETIMES:
        errors["expires_in_days"] = LIFETIME_CHOICE
    if scope not in TokenScope.values:
        errors["scope"] = SCOPE_CHOICE
    if not admin.is_clinic_admin:
        errors["admin"] = "Only a clinic admin can create API tokens."
    if not (user.is_active and user.is_clinic_staff and user.clinic_id == admin.clinic_id):
        errors["user"] = "Choose an active admin or therapist of your clinic."
    if not name.strip():
        errors["name"] = "Give the token a name, such as the system that will use it."
    elif len(name.strip()) > 100:
        errors["name"] = "Keep the name to 100 characters or fewer."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_token_create(
    *,
    admin: User,
    user: User,
    name: str,
    expires_in_days: int = DEFAULT_LIFETIME,
    scope: str = TokenScope.READ,
    client_id: uuid.UUID | None = None,
    reissue: bool = True,
) -> tuple[ApiToken, str]:
    """Create a token acting as ``user`` that works for ``expires_in_days`` (one of
    ``LIFETIMES``) with ``scope`` (a ``TokenScope``); return it with its secret (never stored).

    Sent again under the same ``client_id``, no second token is made; another name, person,
    lifetime or scope under it is refused (``ClientIdReused``). With ``reissue`` (a retried API
    request, of which only the last answer is read) the first is given a new secret, returned
    here, so the secret read is the one that works and no token whose secret nobody saw is
    left active; a token already used, revoked or expired keeps its secret: that key was used
    before and is refused. Without it (the page, which shows the first answer's secret
    itself) the token is returned unchanged with an empty secret.
    """
    _check_create(admin=admin, user=user, name=name, expires_in_days=expires_in_days, scope=scope)
    clinic = admin.clinic
    if clinic is None:  # unreachable: a role implies a clinic (a database constraint)
        raise ValidationError({"admin": "Only a clinic admin can create API tokens."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # Named as the request names them: the API's and the page's ``acts_as`` is ``user`` here.
    asked = request_print(
        client_id, name=name.strip(), acts_as=user, expires_in_days=expires_in_days, scope=scope
    )

    def create() -> ApiToken:
        now = timezone.now()
        return ApiToken.objects.create(
            clinic=clinic,
            user=user,
            created_by=admin,
            name=name.strip(),
            prefix=secret[:12],
            token_hash=hash_token(secret),
            client_id=client_id,
            client_request=asked,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days),
            scope=scope,
        )

    def same_clinic(first: ApiToken) -> bool:
        return first.clinic_id == clinic.pk

    token = create_once(ApiToken, client_id, create, same=same_clinic, asked=asked)
    if replayed(token):
        if not reissue:
            return token, ""
        _reissue(token, secret=secret, admin=admin)
    else:
        api_token_changed.send(
            sender=ApiToken, token=token, actor=admin, change=TokenChange.CREATED
        )
    return token, secret


def _reissue(token: ApiToken, *, secret: str, admin: User) -> None:
    # The row lock orders two replays of one key: each gives the token its own secret, and
    # the one that commits last is the one that works.
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.last_used_at is not None or not locked.is_active:
        raise ValidationError({"client_id": [ALREADY_CREATED.format(name=locked.name)]})
    token.prefix, token.token_hash = secret[:12], hash_token(secret)
    token.save(update_fields=["prefix", "token_hash"])
    api_token_changed.send(sender=ApiToken, token=token, actor=admin, change=TokenChange.REISSUED)


@transaction.atomic
def api_token_revoke(*, admin: User, token: ApiToken) -> ApiToken:
    """Revoke a token of the admin's clinic; revoking twice keeps the first time (and its
    one audit entry)."""
    if not admin.is_clinic_admin or token.clinic_id != admin.clinic_id:
        message = "Only an admin of the token's clinic can revoke it."
        raise ValidationError({"token": message})
    active = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
    revoked = active.update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        api_token_changed.send(
            sender=ApiToken, token=token, actor=admin, change=TokenChange.REVOKED
        )
    return token


def api_token_find(secret: str) -> ApiToken | None:
    """The unrevoked token with this secret whose user may still act for its clinic; it may
    have expired (``ApiToken.is_expired``: the caller refuses it, saying so). Read with the
    user and their clinic: whether it is suspended costs no query more."""
    token = (
        ApiToken.objects.select_related("user__clinic", "clinic")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    if not (user.is_active and user.is_clinic_staff and user.clinic_id == token.clinic_id):
        return None
    return token


def api_token_touch(token: ApiToken) -> None:
    """Record a use, at most once per ``LAST_USED_RESOLUTION`` (a conditional UPDATE)."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


def expired_message(token: ApiToken) -> str:
    """Why an expired token is refused, with the day it expired in its clinic's time zone."""
    day = timezone.localtime(token.expires_at, ZoneInfo(token.clinic.time_zone))
    return EXPIRED.format(day=dateformat.format(day, "j F Y"))


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` is accepted too)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as: Authorization: Bearer <token>."
            )
        try:
            token = api_token_find(parts[1].decode())
        except UnicodeDecodeError:
            token = None
        if token is None:
            self._count_failure(request)
            # One message for unknown, revoked and orphaned tokens: no oracle.
            raise exceptions.AuthenticationFailed("That API token is not valid.")
        if token.is_expired:
            # Not counted as a failure: the count slows down guessing, and this is a real
            # secret, not a guess. Counted, an integration retrying would soon get 429s that
            # hide why it stopped working.
            raise exceptions.AuthenticationFailed(expired_message(token))
        if suspended_clinic(token.user) is not None:
            # A 403 saying so, not a 401: the token is still good once the clinic is resumed.
            raise ClinicSuspended(suspended_message(token.user))
        api_token_touch(token)
        # Here rather than in a permission: every API view authenticates through this class,
        # while views replace the default permissions with their own, and could forget one.
        if token.is_read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY)
        return token.user, token

    def _count_failure(self, request: Request) -> None:
        key = f"api-token-failure:{ratelimit.client_ip(request)}"
        decision = ratelimit.check(
            key, limit=FAILED_TOKENS_PER_WINDOW, window_seconds=FAILED_TOKEN_WINDOW_SECONDS
        )
        if not decision.allowed:
            raise exceptions.Throttled(wait=decision.retry_after)

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="api"'


def carries_token(request: Any) -> bool:
    """Whether ``request`` names an API token (``Authorization: Bearer …``): the API then
    authenticates it by that token alone, or refuses it (401), never by a session cookie it
    may also carry. Readable before DRF has authenticated it (in a middleware)."""
    parts = get_authorization_header(request).split()
    return bool(parts) and parts[0].lower() in KEYWORDS


def is_token_request(request: Any) -> bool:
    return isinstance(getattr(request, "auth", None), ApiToken)
