"""Patients, their sign-in credentials, and the sets they log."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.hip import HipMovement, movement_labels
from apps.core.once import client_request_field

if TYPE_CHECKING:
    from apps.clinics.models import User


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user: User) -> PatientQuerySet:
        """Patients this user may see: staff see their clinic's, a patient only themself."""
        if not user.is_authenticated or user.clinic_id is None:
            return self.none()
        if user.is_clinic_staff:
            return self.filter(clinic_id=user.clinic_id)
        if user.is_patient:
            return self.filter(user_id=user.pk)
        return self.none()

    def editable_by(self, user: User) -> PatientQuerySet:
        """Patients this user may change: admins their clinic's, therapists their own."""
        visible = self.visible_to(user)
        if user.is_clinic_admin:
            return visible
        if user.is_therapist:
            return visible.filter(therapist_id=user.pk)
        return self.none()


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patients"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    year_of_birth = models.PositiveSmallIntegerField()
    time_zone = models.CharField(max_length=64, default="Europe/London")
    reminder_time = models.TimeField(null=True, blank=True, help_text="Empty: clinic default.")
    reminder_channel = models.CharField(
        max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    reminders_enabled = models.BooleanField(default=True)
    # The personal link is an HMAC of (public_id, link_version) under SECRET_KEY: renewing
    # bumps the version, so the old link stops working and a database copy alone cannot
    # produce a working link.
    link_version = models.PositiveIntegerField(default=1)
    # When the current link was issued: it works for PATIENT_LINK_DAYS from then. Only
    # renewing sets it again (``personal_link_renew``).
    link_issued_at = models.DateTimeField(default=timezone.now)
    link_revoked_at = models.DateTimeField(null=True, blank=True)
    link_failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Bumped in the transaction of every change to what this patient's Today page shows
    # from other tables (set logs, programs, levels, precautions, morning checks,
    # questionnaires): the key of the cached Today (``apps/portal/today_cache.py``) holds it.
    today_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The one-time key of the Add a patient form or API request that added them
    # (apps.core.once): sent again (a double click, a retry) it finds them instead of adding
    # the same person twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["full_name", "pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["clinic", "therapist"])]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(year_of_birth__gte=1900) & Q(year_of_birth__lte=2100),
                name="patient_year_of_birth_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def reminder_address(self) -> str:
        """Where the patient's reminders go on their channel ("" when the clinic has none)."""
        return self.phone if self.reminder_channel == ReminderChannel.SMS else self.email

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_now(self, now: datetime | None = None) -> datetime:
        return (now or timezone.now()).astimezone(self.tz)

    def local_today(self, now: datetime | None = None) -> date:
        """The patient's "today", computed in the patient's own time zone."""
        return self.local_now(now).date()

    @property
    def link_locked(self) -> bool:
        return self.link_failed_attempts >= settings.PATIENT_LINK_MAX_FAILURES

    @property
    def link_tries_left(self) -> int:
        """Wrong years of birth the link still takes before it locks."""
        return max(settings.PATIENT_LINK_MAX_FAILURES - self.link_failed_attempts, 0)

    @property
    def link_expires_at(self) -> datetime:
        return self.link_issued_at + timedelta(days=settings.PATIENT_LINK_DAYS)

    @property
    def link_expired(self) -> bool:
        return timezone.now() >= self.link_expires_at

    @property
    def link_active(self) -> bool:
        return self.link_revoked_at is None and not self.link_locked and not self.link_expired

    @property
    def link_state(self) -> str:
        """Why the link does not work, for staff ("revoked", "locked", "expired"), or
        "active"."""
        if self.link_revoked_at is not None:
            return "revoked"
        if self.link_locked:
            return "locked"
        return "expired" if self.link_expired else "active"


class OneTimeSignInLink(models.Model):
    """A single-use sign-in link sent by email. Only a hash of the token is stored."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="one_time_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The sign-in request this link answers: a worker that runs the same request twice finds
    # the link made and sends no second email.
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "request_id"], name="one_time_link_once_per_request"
            )
        ]


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both / not sided"


class PrecautionKind(models.TextChoices):
    POSTERIOR = "posterior", "Posterior (posterolateral) approach"
    ANTERIOR = "anterior", "Anterior approach"
    CUSTOM = "custom", "Custom movements"


# What each surgical approach rules out (CLINICAL.md, hip precautions). Each entry is a set of
# movements that conflict *together*: the posterior approach rules out each of its three
# movements on its own; the anterior approach only hip extension combined with external
# rotation, so an exercise conflicts only when it takes the hip into both.
APPROACH_RULES: dict[str, tuple[frozenset[str], ...]] = {
    PrecautionKind.POSTERIOR: (
        frozenset({HipMovement.FLEXION_BEYOND_90}),
        frozenset({HipMovement.ADDUCTION_PAST_MIDLINE}),
        frozenset({HipMovement.INTERNAL_ROTATION}),
    ),
    PrecautionKind.ANTERIOR: (frozenset({HipMovement.EXTENSION, HipMovement.EXTERNAL_ROTATION}),),
}


class HipPrecautionQuerySet(models.QuerySet["HipPrecaution"]):
    def in_force(self, *, on: date) -> HipPrecautionQuerySet:
        """Precautions that apply on the patient-local day ``on``: started, not yet at their
        end date. The end date itself is the first free day, so they end by themselves with no
        task to run; ending them early by hand moves it to that day, so the days before keep
        the precautions they were done under."""
        return self.filter(starts_on__lte=on, ends_on__gt=on)


class HipPrecaution(models.Model):
    """Hip precautions set by the therapist on the surgeon's instruction, with an end date.

    Never assumed: a patient without a row has none. ``movements`` holds the custom kind's
    movements (empty for an approach, whose movements come from ``APPROACH_RULES``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="precautions")
    kind = models.CharField(max_length=16, choices=PrecautionKind.choices)
    movements = models.JSONField(default=list, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The first day without the precautions.")
    note = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="Ended early by hand (``ends_on`` was moved to that day)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the form or API request that set them (apps.core.once): sent
    # again (a double click, a retry) it finds them instead of setting them twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = HipPrecautionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_on", "-created_at"]
        constraints: ClassVar[list[Any]] = [
            # Set with an end after the start (the service checks it); ended by hand before
            # they started (an operation called off), the end is moved back to the start: an
            # empty range, in force on no day.
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on"))
                | Q(ended_at__isnull=False, ends_on=models.F("starts_on")),
                name="precaution_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind=PrecautionKind.CUSTOM) | ~Q(movements=[]),
                name="precaution_custom_has_movements",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, lifting on {self.ends_on}"

    @property
    def rules(self) -> tuple[frozenset[str], ...]:
        """The movement sets this precaution rules out (each set conflicts as a whole)."""
        if self.kind == PrecautionKind.CUSTOM:
            return tuple(frozenset({movement}) for movement in self.movements)
        return APPROACH_RULES[self.kind]

    @property
    def rules_text(self) -> str:
        """E.g. "no flexion beyond 90°; no internal rotation"."""
        return "; ".join(
            "no " + " combined with ".join(m.lower() for m in movement_labels(rule))
            for rule in self.rules
        )

    @property
    def last_day(self) -> date | None:
        """The last day they apply, the day before ``ends_on`` (the day they lift); None for
        precautions ended before they started, which apply on no day."""
        last = self.ends_on - timedelta(days=1)
        return last if last >= self.starts_on else None

    def is_in_force(self, on: date) -> bool:
        return self.starts_on <= on < self.ends_on


class CareSpell(models.Model):
    """Who looked after a patient when: one row per therapist in turn, written in the
    transaction of every change of ``Patient.therapist`` (``apps.patients.care``).

    ``started_at`` and ``ended_at`` are the moments; ``starts_on`` and ``ends_on`` the
    patient-local days they make the therapist's, fixed when written (the patient may move
    time zone later; a logged set keeps its local day the same way). A hand-over makes its
    local day the new therapist's: the spells share out the days, ``starts_on`` (inclusive)
    to ``ends_on`` (the first day no longer theirs). The patient's first spell has no
    ``starts_on`` (every day before the first hand-over is theirs) and the open one no
    ``ends_on``, so every day has exactly one therapist. Several hand-overs on one local day
    leave the day to the last: the spells in between have no day (``starts_on == ends_on``).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_spells")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_spells"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    starts_on = models.DateField(
        null=True, blank=True, help_text="Empty for the first: every day before the next."
    )
    ends_on = models.DateField(
        null=True, blank=True, help_text="The first day no longer theirs; empty while open."
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["patient", "started_at", "pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["patient", "started_at"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ended_at__isnull=True),
                name="care_spell_one_open_per_patient",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(starts_on__isnull=True),
                name="care_spell_one_first_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ends_on__isnull=True)
                | Q(ended_at__isnull=False, ends_on__isnull=False),
                name="care_spell_ended_on_a_day",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="care_spell_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="care_spell_days_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} from {self.started_at:%Y-%m-%d %H:%M}"
