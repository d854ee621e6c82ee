"""The decisions on progression prompts: the therapist approves, declines or snoozes a
prompt, or moves a ladder item to a level by hand; the app closes the open prompts that a
change leaves with nothing to raise (an exercise removed, a program ended, a patient
archived, the level changed by hand).

Approving advances the level from the patient's next local day (``levels.advance``) and
writes a ``LevelChange`` whose ``reason`` the patient sees. Each decision claims its prompt
with a conditional UPDATE and is audited in the same transaction. Nothing here sends
messages: callers do (notifications).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.exercises.models import LadderLevel
from apps.programs.concerns import PromptConcerns, concerns_for
from apps.programs.duplicates import check_level_doubled
from apps.programs.levels import REASON_MAX, advance, set_level, tracks_going_on
from apps.programs.locks import (
    lock_item_if_editable,
    lock_program_if_editable,
    refuse_if_archived,
)
from apps.programs.models import LevelChange, ProgramItem, ProgressionPrompt, PromptStatus

if TYPE_CHECKING:
    from apps.clinics.models import User

OPEN_STATUSES = (PromptStatus.PENDING, PromptStatus.SNOOZED)
DECLINE_REASON_MAX = 500


def default_reason(*, prompt: ProgressionPrompt, approved_anyway: bool = False) -> str:
    """The note the patient sees when nobody wrote one. ``approved_anyway``: the therapist
    approved past pain above the hold-back level or a "worse" morning answer, so the note
    must not tell the patient the level went without too much pain (CLINICAL.md)."""
    done = prompt.rule_met.split(":")[0] if prompt.rule_met else "the goal"
    if approved_anyway:
        return (
            f"You reached {done} at level {prompt.level}. Your therapist has looked at how "
            f"your hip has been since then and is moving you on to level {prompt.next_level}."
        )
    return (
        f"You reached {done} at level {prompt.level} without too much pain, "
        f"so you are ready for level {prompt.next_level}."
    )


NOT_IN_PROGRAM = (
    "This exercise is no longer in the patient's program (removed, or its program ended): "
    "there is no level to raise. Decline the prompt to close it."
)

# Why the app closed a prompt (``PromptStatus.WITHDRAWN``), kept as its ``decision_reason``.
CLOSED_REMOVED = "The exercise was removed from the patient's program."
CLOSED_ENDED = "The patient's program ended."
CLOSED_ARCHIVED = "The patient was archived (discharged)."
CLOSED_LATE = "The exercise was no longer in the patient's program when these sets were checked."
CLOSED_LEVEL_BY_HAND = "The level was changed by hand."


def prompts_withdraw(
    *,
    patient_id: int,
    reason: str,
    actor: User | None,
    tracks: Collection[UUID] | None = None,
    request: HttpRequest | None = None,
) -> list[ProgressionPrompt]:
    """Close the patient's open (pending or snoozed) prompts that have nothing left to raise:
    of ``tracks``, those whose exercise the patient is no longer given from their next day
    (``levels.tracks_going_on``: a dose edit or new weekdays carry a track on, and its prompt
    with it); every open one when ``tracks`` is None (the patient archived). Each is marked
    ``WITHDRAWN`` with ``reason``, by ``actor`` (whose change closed it), and audited as a
    decision is; nobody is emailed. Returns the prompts closed.

    Call it in the transaction of the change, after it, having taken the patient's row lock
    (``patient_row_lock``) before anything else, as ``prompt_approve`` does: an approval
    either commits first (and is kept: it was decided before the change) or waits and then
    finds the prompt closed."""
    found = ProgressionPrompt.objects.select_for_update(of=("self",)).filter(
        patient_id=patient_id, status__in=OPEN_STATUSES
    )
    if tracks is not None:
        found = found.filter(track__in=list(tracks))
    prompts = list(found.select_related("patient", "item__ladder").order_by("pk"))
    if tracks is not None:
        going_on = tracks_going_on(prompts=prompts)
        prompts = [p for p in prompts if p.track not in going_on]
    return _close(prompts, reason=reason, actor=actor, request=request)


def prompts_withdraw_superseded(
    *, patient_id: int, track: UUID, level: int, actor: User, request: HttpRequest | None = None
) -> list[ProgressionPrompt]:
    """Close the open prompts of a track that a therapist has just moved to ``level`` by hand:
    each asked to raise the level the track had (``advance`` refuses it once the level
    differs), so the therapist's change has answered it. A prompt raised at ``level`` itself
    still asks about the level in force and stays open. Called as ``prompts_withdraw`` is:
    in the change's transaction, after the patient's row lock."""
    prompts = list(
        ProgressionPrompt.objects.select_for_update(of=("self",))
        .filter(patient_id=patient_id, track=track, status__in=OPEN_STATUSES)
        .exclude(level=level)
        .select_related("patient")
        .order_by("pk")
    )
    return _close(prompts, reason=CLOSED_LEVEL_BY_HAND, actor=actor, request=request)


def _close(
    prompts: list[ProgressionPrompt],
    *,
    reason: str,
    actor: User | None,
    request: HttpRequest | None,
) -> list[ProgressionPrompt]:
    """Mark the (locked, open) prompts ``WITHDRAWN`` with ``reason`` and audit each."""
    if not prompts:
        return []
    now = timezone.now()
    ProgressionPrompt.objects.filter(pk__in=[p.pk for p in prompts]).update(
        status=PromptStatus.WITHDRAWN, decision_reason=reason, decided_by=actor, decided_at=now
    )
    for prompt in prompts:
        prompt.status, prompt.decision_reason = PromptStatus.WITHDRAWN, reason
        prompt.decided_by, prompt.decided_at = actor, now
        audit_record(
            actor=actor, action=Action.CHANGE, patient=prompt.patient, target=prompt,
            detail=f"closed: {reason}", request=request,
        )  # fmt: skip
    return prompts


def _claim(
    *,
    prompt: ProgressionPrompt,
    user: User,
    request: HttpRequest | None,
    detail: str = "",
    **changes: object,
) -> None:
    """Move an open prompt to a decision with a conditional UPDATE: of two simultaneous
    decisions only one wins; the other gets a message instead of a second level change.
    The audit entry is written in the caller's transaction, so it exists iff the change does."""
    done = ProgressionPrompt.objects.filter(pk=prompt.pk, status__in=OPEN_STATUSES).update(
        decided_by=user, decided_at=timezone.now(), **changes
    )
    if not done:
        prompt.refresh_from_db(fields=["status", "decision_reason"])
        raise ValidationError({"status": _answered(prompt)})
    prompt.refresh_from_db()
    audit_record(
        actor=user,
        action=Action.CHANGE,
        patient=prompt.patient,
        target=prompt,
        detail=detail,
        request=request,
    )


def _answered(prompt: ProgressionPrompt) -> str:
    """Why a prompt (its status read as it is now) can no longer be decided."""
    if prompt.status == PromptStatus.WITHDRAWN:
        return f"This prompt was closed: {prompt.decision_reason}"
    return "This prompt has already been answered."


@transaction.atomic
def prompt_approve(
    *,
    prompt: ProgressionPrompt,
    user: User,
    note: str = "",
    override_reason: str = "",
    precaution_override: str = "",
    confirm_duplicate_ladder: bool = False,
    request: HttpRequest | None = None,
) -> LevelChange:
    """Approve: the level goes up from the patient's next local day; ``note`` (or a default
    sentence) is the reason the patient is shown.

    A next level whose exercise the patient's hip precautions rule out needs
    ``precaution_override`` (kept on the item and audited), as the builder does. One whose
    exercise another item running for the patient gives them that day too (a single
    exercise, another ladder at it) needs ``confirm_duplicate_ladder``, as the builder asks
    (``duplicates.check_level_doubled``).

    When the prompt is held back, or pain above the hold-back level, pain at the alert level
    or a "worse" next-morning answer came since its qualifying sets, approving needs
    ``override_reason`` ("approve anyway"), kept with the prompt. A caller who may no longer
    change the patient's programs (handed over to a colleague meanwhile) is a 404."""
    note, override_reason = note.strip(), override_reason.strip()
    _check_approve_input(prompt, note, override_reason)
    # Before reading the program: removing the exercise, ending the program or archiving
    # the patient takes this lock first too, and closes the prompt (``prompts_withdraw``).
    _lock_open(prompt, user)
    if prompt.track not in tracks_going_on(prompts=[prompt]):
        # The row found would be the ended one: "approved" would change a level nobody is given.
        raise ValidationError({"item": NOT_IN_PROGRAM})
    concerns = concerns_for([prompt])[prompt.pk]
    if concerns.needs_override and not override_reason:
        raise ValidationError({"override_reason": _override_needed(prompt, concerns)})
    override_reason = override_reason if concerns.needs_override else ""
    assert prompt.next_level is not None  # _check_approve_input refused a complete ladder
    check_level_doubled(
        actor=user, patient=prompt.patient, track=prompt.track, level=prompt.next_level,
        target=prompt, confirmed=confirm_duplicate_ladder, request=request,
    )  # fmt: skip
    _claim(
        prompt=prompt,
        user=user,
        request=request,
        # The reason describes the patient's pain: it is kept with the prompt (erased with
        # the patient); the append-only trail records only that one was given.
        detail="approved anyway (reason kept with the prompt)" if override_reason else "",
        status=PromptStatus.APPROVED,
        decision_reason=note,
        override_reason=override_reason,
    )
    reason = note or default_reason(prompt=prompt, approved_anyway=bool(override_reason))
    return advance(
        prompt=prompt, changed_by=user, reason=reason,
        precaution_override=precaution_override, request=request,
    )  # fmt: skip


def _lock_open(prompt: ProgressionPrompt, user: User) -> None:
    """Take the prompt's program lock (``lock_program_if_editable``: a 404 for a caller who
    may no longer change the patient's programs, handed over since the request's own check),
    then refuse a prompt no longer open, saying why (a prompt closed by the archive says so,
    where "restore them" would promise what restoring does not do: it reopens none), then
    an open one of an archived patient (left open from before archiving closed them)."""
    lock_program_if_editable(program=prompt.item.program, actor=user, archived_ok=True)
    prompt.refresh_from_db(fields=["status", "decision_reason"])
    if prompt.status not in OPEN_STATUSES:
        raise ValidationError({"status": _answered(prompt)})
    refuse_if_archived(prompt.item.program.patient)


def _check_approve_input(prompt: ProgressionPrompt, note: str, override_reason: str) -> None:
    """Refuse what ``prompt_approve`` is sent before it takes any lock: a note or reason too
    long, or a prompt with no next level."""
    if len(note) > REASON_MAX:
        raise ValidationError({"note": f"Keep the note to {REASON_MAX} characters or fewer."})
    if len(override_reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"override_reason": f"Keep the reason to {DECLINE_REASON_MAX} characters or fewer."}
        )
    if prompt.next_level is None:
        raise ValidationError({"status": "This ladder is complete: there is no next level."})


def _override_needed(prompt: ProgressionPrompt, concerns: PromptConcerns) -> str:
    said = []
    if concerns.highest_pain is not None:
        said.append(f"pain up to {concerns.highest_pain} out of 10")
    if concerns.worse_mornings:
        said.append('a "worse" next-morning answer')
    if not said and prompt.rule_lapsed:
        return f"{prompt.rule_lapsed} To approve anyway, give your reason."
    what = " and ".join(said) or "pain above your clinic's hold-back level"
    since = "the qualifying sets"
    if prompt.counted_from is not None and prompt.counted_from != prompt.qualified_on:
        # A rule over several days: its concerns start on the first day it counted.
        since = f"the first qualifying sets ({prompt.counted_from:%a %-d %b})"
    return f"Since {since} the patient reported {what}. To approve anyway, give your reason."


@transaction.atomic
def prompt_decline(
    *, prompt: ProgressionPrompt, user: User, reason: str, request: HttpRequest | None = None
) -> ProgressionPrompt:
    """Decline and keep the level; the reason is required and kept with the prompt. A caller
    who may no longer change the patient's programs (handed over meanwhile) is a 404."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are keeping the patient at this level."})
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {DECLINE_REASON_MAX} characters or fewer."}
        )
    # As approving: access is asked again under the patient's lock, so a hand-over to a
    # colleague since the request's own check is a 404 and nothing is decided.
    _lock_open(prompt, user)
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
    """Put the prompt aside until a later patient-local date; it is open again from then. A
    caller who may no longer change the patient's programs (handed over meanwhile) is a 404."""
    today = prompt.patient.local_today()
    if until <= today:
        raise ValidationError({"until": "Choose a date after today."})
    if until > today + timedelta(days=365):
        raise ValidationError({"until": "Choose a date within a year."})
    _lock_open(prompt, user)  # as declining
    _claim(
        prompt=prompt, user=user, request=request, status=PromptStatus.SNOOZED, snoozed_until=until
    )
    return prompt


@transaction.atomic
def item_level_set(
    *,
    item: ProgramItem,
    user: User,
    level: int,
    reason: str,
    precaution_override: str = "",
    confirm_duplicate_ladder: bool = False,
    request: HttpRequest | None = None,
) -> LevelChange:
    """A therapist moves a ladder item to ``level`` by hand (up, or back after a flare-up)
    from the patient's next local day; ``reason`` is required and shown to the patient. A
    level the patient's hip precautions rule out needs ``precaution_override``; one whose
    exercise another running item gives the patient then too, ``confirm_duplicate_ladder``
    (``duplicates.check_level_doubled``, as approving asks). The audit
    entries are written in the same transaction: the level's (``levels.set_level``), and the
    closing of the track's open prompts that the change answers
    (``prompts_withdraw_superseded``). A caller who may no longer change the program (its
    patient handed over to a colleague since the request's own check), or an item gone
    meanwhile, is a 404 and nothing is changed."""
    reason = reason.strip()
    _check_level_set(item, level, reason)
    # The patient's lock first, as approving a prompt takes it: an approval holding the
    # audit log while it waits for this track's row would otherwise wait on us as we wait
    # on it. Access is asked again under it, and the item read again.
    item = lock_item_if_editable(item=item, actor=user)
    in_force = (
        ProgramItem.objects.select_for_update()
        .filter(track=item.track, program_id=item.program_id)
        .order_by(F("active_until").desc(nulls_first=True), "-pk")
        .first()
    )
    assert in_force is not None  # the item itself is of this track
    if in_force.current_level == level:
        raise ValidationError({"level": f"The patient is already on level {level}."})
    assert item.program.patient is not None  # a ladder item with levels is assigned
    check_level_doubled(
        actor=user, patient=item.program.patient, track=item.track, level=level, target=item,
        confirmed=confirm_duplicate_ladder, request=request,
    )  # fmt: skip
    change = set_level(
        item=in_force, to_level=level, changed_by=user, reason=reason,
        precaution_override=precaution_override, request=request,
    )  # fmt: skip
    if patient_id := item.program.patient_id:
        prompts_withdraw_superseded(
            patient_id=patient_id, track=item.track, level=level, actor=user, request=request
        )
    return change


def _check_level_set(item: ProgramItem, level: int, reason: str) -> None:
    """Refuse a hand-set level that is not one of the item's ladder, or a missing or too long
    ``reason`` (both named at once)."""
    errors: dict[str, str] = {}
    if item.ladder_id is None:
        errors["level"] = "Only a ladder item has levels."
    elif not LadderLevel.objects.filter(ladder_id=item.ladder_id, level=level).exists():
        top = LadderLevel.objects.filter(ladder_id=item.ladder_id).count()
        errors["level"] = f"Choose a level from 1 to {top} of this ladder."
    if not reason:
        errors["reason"] = "Say why: the patient sees this reason."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Keep the reason to {REASON_MAX} characters or fewer."
    if errors:
        raise ValidationError(errors)
