"""Writes for notifications: evaluating a set log, pain alerts, staff emails, opt-out (API
token expiry warnings: ``apps.notifications.token_expiry``).

Evaluation runs in one transaction that locks the log, creates what the log raises (a
progression prompt, a pain alert, and a ``StaffNotification`` row for each email) and marks
the log evaluated with a conditional UPDATE. Emails go out only after that commits.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.selectors import api_token_replaced
from apps.notifications import delivery
from apps.notifications.channels import EmailChannel, Message
from apps.notifications.messages import alert_message, prompt_message, token_expiry_message
from apps.notifications.models import NotificationKind, PainAlert, StaffNotification
from apps.patients.models import Patient
from apps.programs.models import ProgressionPrompt, PromptStatus, SetLog
from apps.programs.progression import prompt_for_log
from apps.programs.prompt_holds import prompt_holds_refresh

if TYPE_CHECKING:
    from apps.clinics.models import ApiToken, User

logger = logging.getLogger(__name__)


@transaction.atomic
def set_log_evaluate(*, log_id: int) -> list[int]:
    """Evaluate a committed log once: returns the ids of the staff emails it created (send
    them after this returns, i.e. after commit). A log already evaluated, or being
    evaluated by another worker, returns ``[]``."""
    log = _unevaluated_log_locked(log_id=log_id)
    if log is None:
        return []
    notifications: list[int] = []
    prompt, created = prompt_for_log(log=log)
    # A prompt closed as it is raised (its exercise no longer in the program) asks nothing.
    if prompt is not None and created and prompt.status != PromptStatus.WITHDRAWN:
        notifications += _notify_therapist(patient=log.patient, prompt=prompt)
    prompt_holds_refresh(log=log)
    alert, created = pain_alert_for_log(log=log)
    if alert is not None and created:
        notifications += _notify_therapist(patient=log.patient, alert=alert)
    SetLog.objects.filter(pk=log.pk, evaluated_at__isnull=True).update(evaluated_at=timezone.now())
    return notifications


def _unevaluated_log_locked(*, log_id: int) -> SetLog | None:
    return (
        SetLog.objects.select_for_update(of=("self",))
        .select_related("item__ladder", "exercise", "patient__clinic", "patient__therapist")
        .filter(pk=log_id, evaluated_at__isnull=True)
        .first()
    )


@transaction.atomic
def set_log_pain_evaluate(*, log_id: int) -> list[int]:
    """What a log's pain must do even while its full evaluation keeps failing (a fault in its
    data or in the code, see ``apps.notifications.given_up``): hold back the prompts of its
    day (in a savepoint: if that fails too, the alert is still raised) and raise its pain
    alert. Returns the ids of the staff emails created, as ``set_log_evaluate`` does. The
    log stays unevaluated, for its full evaluation once the fault is mended, which raises
    nothing twice: one pain alert per patient and day, one email per alert (unique
    constraints)."""
    log = _unevaluated_log_locked(log_id=log_id)
    if log is None:
        return []
    try:
        with transaction.atomic():
            prompt_holds_refresh(log=log)
    except Exception:
        logger.exception("set log %s: could not hold back the prompts of its day", log_id)
    alert, created = pain_alert_for_log(log=log)
    if alert is None or not created:
        return []
    return _notify_therapist(patient=log.patient, alert=alert)


def set_logs_evaluate(*, log_ids: list[int]) -> list[int]:
    """Evaluate committed logs one after another, each exactly as ``set_log_evaluate`` (its
    own transaction and row lock), in id order; returns the ids of the staff emails created.

    Not one transaction for the batch: that would hold every row lock, and the prompts and
    alerts of several days, until the last log, and could deadlock against a per-log
    evaluation that takes the same unique keys in another order. A failure leaves the logs
    not yet reached unevaluated, for a retry of the task or the sweep.
    """
    notifications: list[int] = []
    for log_id in sorted(log_ids):
        notifications += set_log_evaluate(log_id=log_id)
    return notifications


def pain_alert_for_log(*, log: SetLog) -> tuple[PainAlert | None, bool]:
    """The pain alert this log raises and whether it is new (one per patient per local day,
    decided by the unique constraint)."""
    if log.pain < log.patient.clinic.pain_alert_level:
        return None, False
    try:
        with transaction.atomic():
            alert = PainAlert.objects.create(
                patient=log.patient, local_date=log.performed_on, pain=log.pain, log=log,
                exercise_name=log.exercise.name,
            )  # fmt: skip
    except IntegrityError:
        _alert_keep_highest(log=log)
        existing = PainAlert.objects.filter(patient=log.patient, local_date=log.performed_on)
        return existing.first(), False
    return alert, True


def _alert_keep_highest(*, log: SetLog) -> None:
    """The day's alert names its highest pain (the earliest such set among equals), so the
    alert reads the same whichever of the day's painful sets was evaluated first."""
    day_alert = PainAlert.objects.filter(patient=log.patient, local_date=log.performed_on)
    higher = Q(pain__lt=log.pain)
    earlier_equal = Q(pain=log.pain) & (
        Q(log__isnull=True)
        | Q(log__logged_at__gt=log.logged_at)
        | Q(log__logged_at=log.logged_at, log_id__gt=log.pk)
    )
    day_alert.filter(higher | earlier_equal).update(
        pain=log.pain, log=log, exercise_name=log.exercise.name, set_deleted_at=None
    )


def pain_alert_set_deleted(*, log_id: int, at: datetime) -> None:
    """Record on the pain alert about the set ``log_id`` (if any) that the patient deleted
    the set at ``at``; called just before the set is deleted, in the same transaction. The
    alert keeps its day, pain and exercise: a pain report once made does not vanish."""
    PainAlert.objects.filter(log_id=log_id).update(set_deleted_at=at)


def _notify_therapist(
    *, patient: Patient, prompt: ProgressionPrompt | None = None, alert: PainAlert | None = None
) -> list[int]:
    """Record one email to the patient's therapist (the unique constraint makes a second
    record for the same prompt or alert impossible)."""
    therapist = patient.therapist
    if not therapist.is_active or not therapist.email:
        return []
    kind = NotificationKind.PROMPT if prompt is not None else NotificationKind.PAIN_ALERT
    row = StaffNotification.objects.create(
        kind=kind, recipient=therapist, prompt=prompt, alert=alert
    )
    return [row.pk]


def notification_deliver(
    *, notification_id: int, now: datetime | None = None, token: uuid.UUID | None = None
) -> bool:
    """Send one recorded staff email unless someone else has or is sending it (``token``: the
    sweep's reservation). Returns whether this call sent it. A channel error is recorded and
    retried later (backoff)."""
    now = now or timezone.now()
    # Taken under a token of this call's own: the reservation's is shared by every run of
    # the task that carries it (the outbox runs it again after a worker died past the send).
    taken = delivery.take_one(StaffNotification, notification_id, now=now, token=token)
    if taken is None:
        return False
    token = taken
    row = (
        StaffNotification.objects.select_related(
            "recipient__clinic",
            "prompt__patient__therapist",
            "prompt__item__ladder",
            "alert__patient",
        )
        .select_related("alert__patient__therapist", "alert__log__exercise")
        # Whether the email may carry health details is the patient's clinic's choice.
        .select_related("prompt__patient__clinic", "alert__patient__clinic")
        .select_related(
            "token_warning__token__clinic",
            "token_warning__token__user",
            "token_warning__token__created_by",
        )
        .filter(pk=notification_id, claim_token=token)
        .first()
    )
    if row is None:
        return False
    if why := _why_not_sent(row, now=now):
        delivery.mark_skipped(StaffNotification, row.pk, token=token, why=why, now=now)
        return False
    to = row.recipient.email or ""
    try:
        EmailChannel().send(to=to, message=_message_for(row))
    except SoftTimeLimitExceeded:
        raise  # the task's time is up mid-send: it may have arrived (``unknown``, not resent)
    except Exception as exc:  # any channel error: record it, never lose the row
        error = delivery.failure_text(exc, to=to)
        logger.warning("staff email %s failed: %s", row.pk, error)
        delivery.mark_failed(
            StaffNotification, row.pk, token=token, attempts=row.attempts, error=error, now=now
        )
        return False
    return delivery.mark_sent(StaffNotification, row.pk, token=token, now=timezone.now())


NOT_THEIR_PATIENT = "Not sent: the recipient no longer looks after this patient."
CLINIC_SUSPENDED = "Not sent: the clinic's Clamshell account was suspended."


def _why_not_sent(row: StaffNotification, *, now: datetime) -> str:
    """Why the recorded email ``row`` is no longer sent (empty: it is)."""
    if row.recipient.clinic is not None and row.recipient.clinic.is_suspended:
        # Nothing goes to a suspended clinic's people; its prompt or alert waits in the inbox
        # for when it is resumed. Not sent then either: it would arrive days late.
        return CLINIC_SUSPENDED
    if not row.recipient.is_active:
        # Deactivated since the email was recorded (a retry after a failure): they have left
        # the clinic, and the email names a patient with their pain and notes.
        return "Not sent: the recipient's account was deactivated."
    if row.token_warning is not None:
        return _token_warning_moot(row.token_warning.token, recipient=row.recipient, now=now)
    if not _still_looks_after(row):
        # The patient moved to a colleague since the email was recorded, e.g. while it
        # waited for a retry: it would tell someone who no longer looks after the patient
        # about their pain. The inbox shows it to whoever does.
        return NOT_THEIR_PATIENT
    if row.prompt is not None and (why := _prompt_closed_since(row.prompt)):
        return why
    return ""


def _token_warning_moot(token: ApiToken, *, recipient: User, now: datetime) -> str:
    """Why a warning that ``token`` expires soon is not sent to ``recipient`` (empty: it is).
    Since it was recorded (e.g. while it waited for a retry) the recipient may no longer
    manage the clinic's tokens, or the token may need no warning any more."""
    if not (recipient.is_clinic_admin and recipient.clinic_id == token.clinic_id):
        return "Not sent: the recipient is no longer an admin of the token's clinic."
    if token.revoked_at is not None:
        return "Not sent: the API token was revoked."
    if token.expires_at <= now:
        return "Not sent: the API token has expired."
    if api_token_replaced(token=token):
        return (
            "Not sent: the API token was replaced by a newer one of the same name, person "
            "and access."
        )
    return ""


def _prompt_closed_since(prompt: ProgressionPrompt) -> str:
    """Why an email about this prompt is not sent (empty: it is). A prompt approved, declined
    or closed since the email was recorded (e.g. while it waited for a retry) has been
    answered: the email would ask for a decision already made, or one nobody can make any
    more (its exercise removed, its program ended, the patient archived). One snoozed since
    was seen and put off on purpose: the email would ask again before the chosen day."""
    if prompt.status == PromptStatus.WITHDRAWN:
        return f"Not sent: the prompt was closed. {prompt.decision_reason}"
    if prompt.status in (PromptStatus.APPROVED, PromptStatus.DECLINED, PromptStatus.SNOOZED):
        return f"Not sent: the prompt was already {prompt.get_status_display().lower()}."
    return ""


def _still_looks_after(row: StaffNotification) -> bool:
    """Whether the recipient is still the therapist of the email's patient."""
    subject = row.prompt if row.prompt is not None else row.alert
    assert subject is not None  # a database constraint: one or the other
    return subject.patient.therapist_id == row.recipient_id


def _message_for(row: StaffNotification) -> Message:
    if row.token_warning is not None:
        return token_expiry_message(warning=row.token_warning, recipient=row.recipient)
    if row.prompt is not None:
        return prompt_message(prompt=row.prompt)
    assert row.alert is not None
    return alert_message(alert=row.alert)


@transaction.atomic
def pain_alert_acknowledge(
    *, alert: PainAlert, user: User, request: HttpRequest | None = None
) -> PainAlert:
    """Mark an alert as seen (conditional: the first one to see it is recorded), with its
    audit entry in the same transaction."""
    PainAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    alert.refresh_from_db()
    audit_record(
        actor=user, action=Action.CHANGE, patient=alert.patient, target=alert, request=request
    )
    return alert


@transaction.atomic
def patient_reminders_opt_out(*, patient: Patient, request: HttpRequest | None = None) -> Patient:
    """Turn the patient's reminders off (the one-click link), audited in the same
    transaction. Idempotent."""
    if patient.archived_at is not None:
        raise ValidationError({"patient": "This patient is no longer active."})
    Patient.objects.filter(pk=patient.pk).update(reminders_enabled=False)
    patient.reminders_enabled = False
    audit_record(
        actor=None,
        action=Action.CHANGE,
        patient=patient,
        target=patient,
        detail="reminders turned off with the emailed link",
        request=request,
    )
    return patient
