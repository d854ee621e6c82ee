"""Open progression prompts close by themselves when nothing is left to raise: the exercise
removed from the program, the program ended, the patient archived. They close in the same
transaction as that change, as ``withdrawn`` with the reason kept, audited like a decision,
emailing nobody; a prompt carried on with its exercise (a dose edit, new weekdays) or whose
program ends later stays open, and restoring the patient reopens nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.notifications.models import StaffNotification
from apps.notifications.services import set_log_evaluate
from apps.patients.archive_services import patient_archive, patient_restore
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_services import program_item_remove, program_item_update
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import (
    CLOSED_ARCHIVED,
    CLOSED_ENDED,
    CLOSED_LATE,
    CLOSED_REMOVED,
    prompt_approve,
    prompt_decline,
    prompt_snooze,
)
from tests.factories import LadderItemFactory, PatientFactory
from tests.notifications.conftest import make_prompt
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def _state(prompt) -> tuple[str, str]:
    prompt.refresh_from_db()
    return prompt.status, prompt.decision_reason


def _closing_entries(prompt) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_ref=str(prompt.public_id)).values_list("detail", flat=True)
    )


def _end(therapist, program, end):
    return program_schedule_update(
        actor=therapist, program=program, weekdays=program.weekday_numbers,
        start_date=program.start_date, end_date=end,
    )  # fmt: skip


def test_removing_the_exercise_closes_its_open_prompt_with_the_reason_audited(
    therapist_a, patient_a
):
    prompt = make_prompt(patient_a)

    program_item_remove(actor=therapist_a, item=prompt.item)

    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_REMOVED)
    assert (prompt.decided_by, prompt.decided_at is not None) == (therapist_a, True)
    assert prompt.get_status_display() == "Closed: no longer in the program"
    assert _closing_entries(prompt) == [f"closed: {CLOSED_REMOVED}"]
    entry = AuditEntry.objects.get(target_ref=str(prompt.public_id))
    assert (entry.actor, entry.patient_id, entry.action) == (therapist_a, patient_a.pk, "change")


def test_a_snoozed_prompt_closes_too_and_decided_ones_are_left_as_they_were(therapist_a, patient_a):
    snoozed = make_prompt(patient_a)
    prompt_snooze(
        prompt=snoozed, user=therapist_a, until=patient_a.local_today() + timedelta(days=3)
    )
    declined = make_prompt(patient_a)
    prompt_decline(prompt=declined, user=therapist_a, reason="Not yet")

    program_item_remove(actor=therapist_a, item=snoozed.item)
    program_item_remove(actor=therapist_a, item=declined.item)

    assert _state(snoozed) == (PromptStatus.WITHDRAWN, CLOSED_REMOVED)
    assert _state(declined) == (PromptStatus.DECLINED, "Not yet")


def test_removing_one_exercise_leaves_the_prompts_of_the_others_open(therapist_a, patient_a):
    removed, kept = make_prompt(patient_a), make_prompt(patient_a)

    program_item_remove(actor=therapist_a, item=removed.item)

    assert _state(removed)[0] == PromptStatus.WITHDRAWN
    assert _state(kept) == (PromptStatus.PENDING, "")


def test_a_dose_edit_carries_the_exercise_and_its_prompt_on(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    item = prompt.item

    follow_on = program_item_update(
        actor=therapist_a, item=item, sets=3, reps=12, hold_seconds=None,
        per_side=item.per_side, rest_seconds=item.rest_seconds,
    )  # fmt: skip

    assert follow_on.pk != item.pk  # the old row ended: the track goes on in the new one
    assert _state(prompt) == (PromptStatus.PENDING, "")


def test_ending_the_program_closes_its_open_prompts(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    _end(therapist_a, prompt.item.program, patient_a.local_today() - timedelta(days=1))

    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_ENDED)
    assert _closing_entries(prompt) == [f"closed: {CLOSED_ENDED}"]


def test_a_program_ending_today_closes_them_as_no_level_can_start_tomorrow(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    _end(therapist_a, prompt.item.program, patient_a.local_today())

    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_ENDED)


def test_an_end_date_still_to_come_and_new_weekdays_leave_the_prompt_open(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    program = prompt.item.program

    _end(therapist_a, program, patient_a.local_today() + timedelta(days=7))
    follow_on = program_schedule_update(
        actor=therapist_a, program=program, weekdays=[0, 2, 4], start_date=program.start_date,
        end_date=patient_a.local_today() + timedelta(days=7),
    )  # fmt: skip

    assert follow_on.pk != program.pk  # the old version ended yesterday; the exercise goes on
    assert _state(prompt) == (PromptStatus.PENDING, "")


def test_archiving_the_patient_closes_every_open_prompt_and_restoring_reopens_none(
    therapist_a, patient_a
):
    first, second = make_prompt(patient_a), make_prompt(patient_a)

    patient_archive(patient=patient_a, actor=therapist_a)
    patient_restore(patient=patient_a, actor=therapist_a)

    assert _state(first) == _state(second) == (PromptStatus.WITHDRAWN, CLOSED_ARCHIVED)
    assert _closing_entries(first) == [f"closed: {CLOSED_ARCHIVED}"]


def test_archiving_leaves_other_patients_prompts_alone(therapist_a, patient_a):
    make_prompt(patient_a)
    other = make_prompt(PatientFactory(therapist=therapist_a))

    patient_archive(patient=patient_a, actor=therapist_a)

    assert _state(other) == (PromptStatus.PENDING, "")


def test_closing_emails_nobody(therapist_a, patient_a):
    make_prompt(patient_a)
    notifications = StaffNotification.objects.count()

    patient_archive(patient=patient_a, actor=therapist_a)

    assert StaffNotification.objects.count() == notifications
    assert mail.outbox == []


def test_a_closed_prompt_cannot_be_approved_declined_or_snoozed_and_says_why(
    therapist_a, patient_a
):
    prompt = make_prompt(patient_a)
    program_item_remove(actor=therapist_a, item=prompt.item)
    stale = ProgressionPrompt.objects.get(pk=prompt.pk)
    stale.status = PromptStatus.PENDING  # as the page read it before the removal

    for decide in (
        lambda: prompt_approve(prompt=stale, user=therapist_a),
        lambda: prompt_decline(prompt=stale, user=therapist_a, reason="No"),
        lambda: prompt_snooze(
            prompt=stale, user=therapist_a, until=patient_a.local_today() + timedelta(days=2)
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            decide()
        assert refused.value.message_dict["status"] == [f"This prompt was closed: {CLOSED_REMOVED}"]
    assert not prompt.item.level_changes.exists()


def test_sets_checked_after_their_exercise_was_removed_raise_a_closed_prompt_and_no_email(
    therapist_a, patient_a
):
    """The phone synced late (or the worker was down): the same sets end the same way as had
    they been checked before the removal."""
    item = LadderItemFactory(program__patient=patient_a, per_side=False, auto_advance=True)
    log = SetLogFactory(item=item, reps=20)
    program_item_remove(actor=therapist_a, item=item)

    emails = set_log_evaluate(log_id=log.pk)

    prompt = ProgressionPrompt.objects.get(track=item.track)
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.WITHDRAWN, CLOSED_LATE)
    assert emails == []
    item.refresh_from_db()
    assert item.current_level == 1  # not advanced automatically on the ended row
    assert not item.level_changes.exists()


def test_sets_checked_after_the_patient_was_archived_raise_a_closed_prompt(therapist_a, patient_a):
    item = LadderItemFactory(program__patient=patient_a, per_side=False)
    log = SetLogFactory(item=item, reps=20)
    patient_archive(patient=patient_a, actor=therapist_a)

    assert set_log_evaluate(log_id=log.pk) == []

    prompt = ProgressionPrompt.objects.get(track=item.track)
    assert (prompt.status, prompt.decision_reason) == (PromptStatus.WITHDRAWN, CLOSED_ARCHIVED)
