"""Progression along a ladder: the rule that raises a prompt, and the therapist's decisions.

The rule (see DESIGN.md): one set at the item's current ladder level reaches the ladder's
``advance_at_reps`` (for a per-side item: a left and a right set, the same day) and no pain
above the clinic's ``pain_progression_limit`` was logged that day. Then one prompt per
(patient, track, level) exists: the database makes it unique, so evaluating twice, or two
logs meeting the rule, never makes a second one.

Approving advances the level from the patient's next local day and writes a ``LevelChange``
whose ``reason`` the patient sees. Nothing here sends messages: callers do (notifications).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.exercises.models import LadderLevel
from apps.patients.models import Side
from apps.programs.models import LevelChange, ProgramItem, ProgressionPrompt, PromptStatus, SetLog

if TYPE_CHECKING:
    from apps.clinics.models import User

OPEN_STATUSES = (PromptStatus.PENDING, PromptStatus.SNOOZED)
REASON_MAX = 300
DECLINE_REASON_MAX = 500


def progression_rule_met(*, log: SetLog) -> bool:
    """Whether this committed log (with the patient's other logs that day) meets the rule."""
    item = log.item
    if item.ladder is None or log.reps is None or log.ladder_level is None:
        return False
    if item.level_on(log.performed_on) != log.ladder_level:
        return False  # logged against a level no longer in force that day
    threshold = item.ladder.advance_at_reps
    if log.reps is None or log.reps < threshold:
        return False
    max_pain, left, right = _day_summary(log=log, threshold=threshold)
    if max_pain > log.patient.clinic.pain_progression_limit:
        return False
    if log.target_per_side:  # the prescription copied onto the log when it was done
        return left > 0 and right > 0
    return True


def _day_summary(*, log: SetLog, threshold: int) -> tuple[int, int, int]:
    """Highest pain that day, and the qualifying sets per side at this level, in one query."""
    qualifying = Q(item__track=log.item.track, ladder_level=log.ladder_level, reps__gte=threshold)
    row = SetLog.objects.filter(patient_id=log.patient_id, performed_on=log.performed_on).aggregate(
        max_pain=Max("pain"),
        left=Count("pk", filter=qualifying & Q(side=Side.LEFT)),
        right=Count("pk", filter=qualifying & Q(side=Side.RIGHT)),
    )
    return row["max_pain"] or 0, row["left"], row["right"]


def next_level_of(*, ladder_id: int, level: int) -> int | None:
    """The level after ``level``, or None at the top of the ladder."""
    exists = LadderLevel.objects.filter(ladder_id=ladder_id, level=level + 1).exists()
    return level + 1 if exists else None


def prompt_for_log(*, log: SetLog) -> tuple[ProgressionPrompt | None, bool]:
    """The prompt this log raises and whether it is new: ``(None, False)`` when the rule is
    not met, ``(existing, False)`` when the patient already had one for this track and level.

    Runs in the caller's transaction; a concurrent evaluation that inserts the same prompt
    first makes this one find it (the unique constraint decides, not a prior SELECT).
    """
    if not progression_rule_met(log=log):
        return None, False
    level = log.ladder_level
    assert level is not None  # checked by the rule
    existing = _existing_prompt(log=log, level=level)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            prompt = _create_prompt(log=log, level=level)
    except IntegrityError:
        return _existing_prompt(log=log, level=level), False
    if prompt.status == PromptStatus.AUTO_APPROVED:
        _advance(prompt=prompt, changed_by=None, reason=default_reason(prompt=prompt))
    return prompt, True


def _existing_prompt(*, log: SetLog, level: int) -> ProgressionPrompt | None:
    return ProgressionPrompt.objects.filter(
        patient_id=log.patient_id, track=log.item.track, level=level
    ).first()


def _create_prompt(*, log: SetLog, level: int) -> ProgressionPrompt:
    item = log.item
    assert item.ladder_id is not None
    next_level = next_level_of(ladder_id=item.ladder_id, level=level)
    status = PromptStatus.PENDING
    if next_level is None:
        status = PromptStatus.COMPLETE
    elif item.auto_advance:
        status = PromptStatus.AUTO_APPROVED
    decided = status != PromptStatus.PENDING
    return ProgressionPrompt.objects.create(
        patient_id=log.patient_id,
        item=item,
        track=item.track,
        level=level,
        next_level=next_level,
        triggered_by=log,
        status=status,
        decided_at=timezone.now() if decided else None,
    )


def default_reason(*, prompt: ProgressionPrompt) -> str:
    """The note the patient sees when nobody wrote one."""
    threshold = prompt.item.ladder.advance_at_reps if prompt.item.ladder else 20
    return (
        f"You did {threshold} reps in one set at level {prompt.level} without too much pain, "
        f"so you are ready for level {prompt.next_level}."
    )


def _item_in_force(prompt: ProgressionPrompt) -> ProgramItem:
    """The row of the prompt's track in force now (a dose edit may have replaced the prompt's
    own row), locked so two approvals cannot both advance it."""
    item = (
        ProgramItem.objects.select_for_update()
        .filter(track=prompt.track, program__patient_id=prompt.patient_id)
        .order_by(F("active_until").desc(nulls_first=True), "-pk")
        .first()
    )
    if item is None:
        raise ValidationError({"item": "This exercise is no longer in the patient's program."})
    return item


def _advance(*, prompt: ProgressionPrompt, changed_by: User | None, reason: str) -> LevelChange:
    item = _item_in_force(prompt)
    if item.current_level != prompt.level or prompt.next_level is None:
        raise ValidationError(
            {"level": "The level changed since this prompt was raised; nothing was advanced."}
        )
    effective_on = prompt.patient.local_today() + timedelta(days=1)
    item.previous_level, item.current_level = item.current_level, prompt.next_level
    item.level_since = effective_on
    item.save(update_fields=["previous_level", "current_level", "level_since"])
    return LevelChange.objects.create(
        item=item,
        from_level=prompt.level,
        to_level=prompt.next_level,
        effective_on=effective_on,
        reason=reason[:REASON_MAX],
        changed_by=changed_by,
    )


def _claim(
    *, prompt: ProgressionPrompt, user: User, request: HttpRequest | None, **changes: object
) -> None:
    """Move an open prompt to a decision with a conditional UPDATE: of two simultaneous
    decisions only one wins; the other gets a message instead of a second level change.
    The audit entry is written in the caller's transaction, so it exists iff the change does."""
    done = ProgressionPrompt.objects.filter(pk=prompt.pk, status__in=OPEN_STATUSES).update(
        decided_by=user, decided_at=timezone.now(), **changes
    )
    if not done:
        raise ValidationError({"status": "This prompt has already been answered."})
    prompt.refresh_from_db()
    audit_record(
        actor=user, action=Action.CHANGE, patient=prompt.patient, target=prompt, request=request
    )


@transaction.atomic
def prompt_approve(
    *, prompt: ProgressionPrompt, user: User, note: str = "", request: HttpRequest | None = None
) -> LevelChange:
    """Approve: the level goes up from the patient's next local day; ``note`` (or a default
    sentence) is the reason the patient is shown."""
    note = note.strip()
    if len(note) > REASON_MAX:
        raise ValidationError({"note": f"Keep the note to {REASON_MAX} characters or fewer."})
    if prompt.next_level is None:
        raise ValidationError({"status": "This ladder is complete: there is no next level."})
    _claim(
        prompt=prompt,
        user=user,
        request=request,
        status=PromptStatus.APPROVED,
        decision_reason=note,
    )
    return _advance(prompt=prompt, changed_by=user, reason=note or default_reason(prompt=prompt))


@transaction.atomic
def prompt_decline(
    *, prompt: ProgressionPrompt, user: User, reason: str, request: HttpRequest | None = None
) -> ProgressionPrompt:
    """Decline and keep the level; the reason is required and kept with the prompt."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are keeping the patient at this level."})
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {DECLINE_REASON_MAX} characters or fewer."}
        )
    _claim(
        prompt=prompt,
        user=user,
        request=request,
        status=PromptStatus.DECLINED,
        decision_reason=reason,
    )
    return prompt


@transaction.atomic
def prompt_snooze(
    *, prompt: ProgressionPrompt, user: User, until: date, request: HttpRequest | None = None
) -> ProgressionPrompt:
    """Put the prompt aside until a later patient-local date; it is open again from then."""
    today = prompt.patient.local_today()
    if until <= today:
        raise ValidationError({"until": "Choose a date after today."})
    if until > today + timedelta(days=365):
        raise ValidationError({"until": "Choose a date within a year."})
    _claim(
        prompt=prompt, user=user, request=request, status=PromptStatus.SNOOZED, snoozed_until=until
    )
    return prompt
