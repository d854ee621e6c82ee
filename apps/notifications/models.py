"""What the notifications app records: pain alerts, API token expiry warnings, outgoing staff
messages, and reminders.

Every message is a row committed *before* it is sent and marked sent with a conditional
UPDATE afterwards, so a retried task never sends twice. Uniqueness lives in the database:
one pain alert per patient per local day, one expiry warning per API token and threshold,
one email per prompt, alert or warning and recipient, one reminder per patient per local day.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.patients.models import Patient

if TYPE_CHECKING:
    from apps.clinics.models import User


def _editable_patients(user: User) -> models.QuerySet[Patient]:
    return Patient.objects.editable_by(user)


class PainAlertQuerySet(models.QuerySet["PainAlert"]):
    def for_staff(self, user: User) -> PainAlertQuerySet:
        """Alerts about the user's own patients (a therapist) or the clinic's (an admin)."""
        return self.filter(patient__in=_editable_patients(user))


class PainAlert(models.Model):
    """A logged pain at or above the clinic's alert level; one per patient per local day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="pain_alerts")
    local_date = models.DateField(help_text="The patient's local day of the painful set.")
    pain = models.PositiveSmallIntegerField()
    log = models.ForeignKey(
        "programs.SetLog", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the alert is about, kept on it: the patient may delete the set (within 24 hours),
    # and the alert must still say which exercise hurt, and that the set is gone and when.
    exercise_name = models.CharField(
        max_length=200, blank=True, help_text="The exercise of the alerted set, as logged."
    )
    set_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the patient deleted the alerted set."
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PainAlertQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="one_pain_alert_per_patient_day"
            ),
            models.CheckConstraint(condition=Q(pain__lte=10), name="pain_alert_pain_0_10"),
        ]

    # A pain report once made stays (and its email is not taken back); a correction of the
    # set's pain since is shown beside it, read from the set itself (load ``log`` with it).
    @property
    def corrected_pain(self) -> int | None:
        """The pain the patient has since corrected the alert's set to; None if not."""
        log = self.log
        if log is None or log.pain_corrected_at is None or log.pain == self.pain:
            return None
        return log.pain

    @property
    def corrected_at(self) -> datetime | None:
        """When the patient last corrected the set's pain (with ``corrected_pain``)."""
        if self.log is None or self.corrected_pain is None:
            return None
        return self.log.pain_corrected_at


class TokenExpiryWarning(models.Model):
    """A warning to a clinic's admins that one of its API tokens expires soon, ``days_before``
    days ahead (``apps.notifications.token_expiry.THRESHOLDS``): one per token and threshold,
    decided by the unique constraint, each with a ``StaffNotification`` per admin."""

    token = models.ForeignKey(
        "clinics.ApiToken", on_delete=models.CASCADE, related_name="expiry_warnings"
    )
    days_before = models.PositiveSmallIntegerField()
    # The run that raised it: runs insert with ON CONFLICT DO NOTHING and read back the rows
    # carrying their own id, so of two runs at once each warning is raised by one of them.
    run = models.UUIDField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["token", "days_before"], name="one_warning_per_token_threshold"
            ),
        ]


class DeliveryStatus(models.TextChoices):
    """Life of one outgoing message. ``claimed``: recorded, waiting to be sent (or retried at
    ``retry_after``); ``sending``: a worker took it; then ``sent``, ``failed`` or ``skipped``,
    or ``unknown`` when the worker died while sending it (it may have arrived: never resent)."""

    CLAIMED = "claimed", "Waiting to be sent"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    UNKNOWN = "unknown", "Unknown (interrupted while sending)"


class NotificationKind(models.TextChoices):
    PROMPT = "prompt", "Progression prompt"
    PAIN_ALERT = "pain_alert", "Pain alert"
    TOKEN_EXPIRY = "token_expiry", "API token expiry warning"


class StaffNotification(models.Model):
    """One email to a staff member about a prompt, a pain alert or an API token that expires
    soon (the inbox lists the prompt or alert itself, the API tokens page the token; this row
    makes the email exactly-once-or-recorded-as-failed)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    prompt = models.ForeignKey(
        "programs.ProgressionPrompt",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    alert = models.ForeignKey(
        PainAlert, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    token_warning = models.ForeignKey(
        TokenExpiryWarning,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    retry_after = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[Any]] = [
            models.Index(
                fields=["retry_after"],
                name="notification_waiting",
                condition=Q(status__in=["claimed", "sending"]),
            ),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(
                    kind="prompt",
                    prompt__isnull=False,
                    alert__isnull=True,
                    token_warning__isnull=True,
                )
                | Q(
                    kind="pain_alert",
                    prompt__isnull=True,
                    alert__isnull=False,
                    token_warning__isnull=True,
                )
                | Q(
                    kind="token_expiry",
                    prompt__isnull=True,
                    alert__isnull=True,
                    token_warning__isnull=False,
                ),
                name="notification_subject_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["prompt", "recipient"],
                condition=Q(prompt__isnull=False),
                name="one_email_per_prompt_recipient",
            ),
            models.UniqueConstraint(
                fields=["alert", "recipient"],
                condition=Q(alert__isnull=False),
                name="one_email_per_alert_recipient",
            ),
            models.UniqueConstraint(
                fields=["token_warning", "recipient"],
                condition=Q(token_warning__isnull=False),
                name="one_email_per_token_warning_recipient",
            ),
        ]


class SkipReason(models.TextChoices):
    # Each reads beside its reminder's own day in the inbox, often a past one (the
    # missed-reminders job records finished days): "that day", never "today".
    OPTED_OUT = "opted_out", "The patient turned reminders off"
    DAY_COMPLETE = "day_complete", "The patient had already done that day's exercises"
    QUIET_HOURS = "quiet_hours", "Inside the clinic's quiet hours"
    NO_ADDRESS = "no_address", "No email address or phone number for the chosen channel"
    TOO_LATE = "too_late", "Too late: it could not go out within the clinic's grace period"
    NOT_SCHEDULED = "not_scheduled", "Nothing was scheduled that day any more"
    HELD_BACK = "held_back", "Hip precautions held back every exercise scheduled that day"
    ARCHIVED = "archived", "The patient is archived"
    CLINIC_SUSPENDED = "clinic_suspended", "The clinic's Clamshell account was suspended"


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def for_staff(self, user: User) -> ReminderQuerySet:
        """Reminders of the user's own patients (a therapist) or the clinic's (an admin)."""
        return self.filter(patient__in=_editable_patients(user))


class Reminder(models.Model):
    """One reminder for a patient's local day: claimed (inserted) before anything is sent, so
    two dispatchers or a retried task can never remind the same patient twice that day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: ``one_reminder_per_patient_day`` starts with the patient. One index
    # fewer to write on every take and mark (the reminder fan-out's hottest statement).
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    local_date = models.DateField()
    due_at = models.DateTimeField(help_text="The patient's reminder time on local_date, in UTC.")
    channel = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED
    )
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    retry_after = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-local_date", "-created_at"]
        indexes: ClassVar[list[Any]] = [
            models.Index(
                fields=["retry_after"],
                name="reminder_waiting",
                condition=Q(status__in=["claimed", "sending"]),
            ),
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="one_reminder_per_patient_day"
            ),
            models.CheckConstraint(
                condition=Q(status="skipped", skip_reason__gt="")
                | (~Q(status="skipped") & Q(skip_reason="")),
                name="reminder_skip_has_reason",
            ),
        ]

    @property
    def reason(self) -> str:
        """Why it was skipped or failed, in words a therapist reads."""
        if self.skip_reason:
            return SkipReason(self.skip_reason).label
        return self.error
