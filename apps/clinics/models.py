"""Clinics, the people who work in them, and their roles.

Every user except the installation's operators belongs to exactly one clinic; every query
that touches patient data starts from the user (see ``visible_to`` methods) so a clinic never
sees another's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from apps.core.once import client_request_field


# The clinic's default times, as functions: Django's check of a fixed time default
# (fields.W161) compares it with the clock and warns within 10 seconds of that time of day,
# which made `manage.py check --deploy` (and its test) fail at 08:00, 18:00 and 21:00.
def six_pm() -> time:
    return time(18, 0)


def nine_pm() -> time:
    return time(21, 0)


def eight_am() -> time:
    return time(8, 0)


class Clinic(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    # Pain above this (0-10 scale) on the day holds back a progression prompt.
    pain_progression_limit = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(10)]
    )
    # Pain at or above this alerts the therapist the same day.
    pain_alert_level = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # The number a patient is told to call after a high pain (shown on their Today page).
    phone = models.CharField(max_length=32, blank=True)
    default_reminder_time = models.TimeField(default=six_pm)
    # No reminder is sent between quiet_hours_start and quiet_hours_end (patient-local).
    quiet_hours_start = models.TimeField(default=nine_pm)
    quiet_hours_end = models.TimeField(default=eight_am)
    # A reminder that could not go out within this many minutes of its time (an outage) is
    # recorded as skipped "too late" rather than sent hours after the patient expected it.
    reminder_grace_minutes = models.PositiveSmallIntegerField(default=120)
    # Activation bands (%MVIC lower bounds), kept per clinic so a clinic can change them.
    band_moderate_from = models.PositiveSmallIntegerField(default=21)
    band_high_from = models.PositiveSmallIntegerField(default=41)
    band_very_high_from = models.PositiveSmallIntegerField(default=61)
    # While on, every therapist and admin of the clinic pairs an authenticator app and gives
    # its code at each sign-in before any staff page opens (apps.clinics.middleware). Off by
    # default: an upgrade locks no clinic's staff out.
    require_two_factor = models.BooleanField(
        "require two-factor sign-in for all staff", default=False
    )
    # While off, the pain-alert and progression emails to staff say only what happened, to
    # which patient reference, when, and link to the inbox: email is not a safe channel for
    # health data (apps/notifications/messages.py). On by default: the emails were specified
    # to show the pain, notes and morning answers (issue 16), and an upgrade changes no
    # clinic's emails; a clinic that keeps health data out of email turns it off.
    health_details_in_staff_emails = models.BooleanField(
        "health details in staff emails", default=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by an operator (``clinic_suspend``) when the clinic leaves the service, stops paying
    # or has a breach to contain: every request of its staff and patients is refused and its
    # background messages are skipped (``apps.clinics.suspension``) until it is resumed.
    # Nothing else changes, so resuming brings everything back as it was.
    suspended_at = models.DateTimeField("suspended since", null=True, blank=True, editable=False)
    suspension_reason = models.CharField(
        "reason for suspension", max_length=150, blank=True, editable=False
    )
    # Bumped (``clinic_today_bump``) in the transaction of every change to what the Today
    # pages of all the clinic's patients show from other tables: its exercise photos and
    # videos, its exercises and ladders (every clinic for the shared library). It is part of
    # the key of each patient's cached Today (``apps/portal/today_cache.py``).
    today_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(band_moderate_from__lt=models.F("band_high_from"))
                & models.Q(band_high_from__lt=models.F("band_very_high_from")),
                name="clinic_bands_ascending",
            ),
            models.CheckConstraint(
                condition=models.Q(pain_alert_level__lte=10)
                & models.Q(pain_progression_limit__lte=10),
                name="clinic_pain_levels_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def local_today(self) -> date:
        """The clinic's own date now (its months and report ranges), not the server's UTC."""
        return timezone.now().astimezone(ZoneInfo(self.time_zone)).date()

    def is_quiet_at(self, at: time) -> bool:
        """Whether local time ``at`` falls inside the clinic's quiet hours."""
        return in_quiet_hours(at, start=self.quiet_hours_start, end=self.quiet_hours_end)

    def quiet_reminder_time_error(self, at: time | None) -> str | None:
        """What is wrong with ``at`` as a reminder time (a patient's or a program's), or
        None: a time inside quiet hours would never be sent."""
        if at is None or not self.is_quiet_at(at):
            return None
        start, end = self.quiet_hours_start, self.quiet_hours_end
        return (
            f"{at:%H:%M} is inside the clinic's quiet hours ({start:%H:%M} to {end:%H:%M}): "
            "no reminder would ever be sent. Choose a time outside them."
        )


def quiet_hours_widened(before: tuple[time, time], after: tuple[time, time]) -> bool:
    """Whether some minute of the day is quiet ``after`` (start, end) that was not
    ``before``: a reminder time chosen then may now fall inside."""
    minutes = (time(h, m) for h in range(24) for m in range(60))
    return any(
        in_quiet_hours(at, start=after[0], end=after[1])
        and not in_quiet_hours(at, start=before[0], end=before[1])
        for at in minutes
    )


def in_quiet_hours(at: time, *, start: time, end: time) -> bool:
    """Whether local time ``at`` is inside quiet hours [start, end), which may span midnight;
    equal start and end mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


class Role(models.TextChoices):
    ADMIN = "admin", "Clinic admin"
    THERAPIST = "therapist", "Therapist"
    PATIENT = "patient", "Patient"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email) if email else None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: clinic staff (admin, therapist), a patient, or an operator.

    Operators (``is_superuser``, no clinic) run the installation through Django admin. Patients
    have no password; they sign in through their personal link (see ``apps.patients``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Staff sign in with their email; patients' accounts carry none (it lives on Patient).
    email = models.EmailField(unique=True, null=True, blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the operators' admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every session of the account while its password stays (a clinic admin's
    # reset of a lost authenticator): it is part of the session hash Django checks on every
    # request (``_get_session_auth_hash``).
    sessions_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(clinic__isnull=False),
                name="user_with_role_has_clinic",
            ),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"user {self.pk}"

    # Django's HMAC of the password, with ``sessions_version`` in it once it is raised. At 0
    # the hashes are Django's own, so no session signed in before the field existed ends.
    def get_session_auth_hash(self) -> str:
        if not self.sessions_version:
            return super().get_session_auth_hash()
        return self._versioned_session_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterable[str]:
        if not self.sessions_version:
            return super().get_session_auth_fallback_hash()
        return (self._versioned_session_hash(old) for old in settings.SECRET_KEY_FALLBACKS)

    def _versioned_session_hash(self, secret: str | bytes | None) -> str:
        return salted_hmac(
            "apps.clinics.models.User.get_session_auth_hash",
            f"{self.password}\x00{self.sessions_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.THERAPIST)


class TokenScope(models.TextChoices):
    """What a token may do, whatever its person may: reading is GET, HEAD and OPTIONS."""

    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


# How long before a token expires its admin is warned (the API tokens page marks it).
EXPIRY_WARNING = timedelta(days=14)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: User) -> ApiTokenQuerySet:
        """Tokens a clinic admin manages: every token of their clinic; nobody else's."""
        if not user.is_authenticated or not user.is_clinic_admin:
            return self.none()
        return self.filter(clinic_id=user.clinic_id)


class ApiToken(models.Model):
    """A credential for an integration, acting as one staff member of a clinic.

    Only the SHA-256 of the secret is stored (the secret has 256 random bits, so a fast hash
    is enough): a copy of the database lets nobody in. ``prefix`` is the token's first
    characters, shown so an admin can tell tokens apart.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    # The one-time key of the form or request that made it (apps/core/once.py).
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by its creator (``api_token_create``), never open-ended: a token that leaks stops.
    expires_at = models.DateTimeField()
    # No default here: its creator chooses (``api_token_create``, read only unless told).
    scope = models.CharField(max_length=10, choices=TokenScope.choices)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "pk"]
        verbose_name = "API token"  # in messages ("a different API token"), not "api token"
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(scope__in=TokenScope.values), name="api_token_scope_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def expires_soon(self) -> bool:
        """Unexpired, but within ``EXPIRY_WARNING`` of its end: time to make its successor."""
        return not self.is_expired and self.expires_at - timezone.now() <= EXPIRY_WARNING

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_read_only(self) -> bool:
        return self.scope != TokenScope.READ_WRITE
