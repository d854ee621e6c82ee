"""Progression prompts nobody can act on close by themselves in a daily job: those of a
program whose end date has passed in the patient's own time zone (nobody ended it by hand),
and those left open, before closing existed, on exercises removed since and on archived
patients. A program ending today keeps its prompts open; an exercise carried on (a dose
edit, new weekdays) too. Closed as ``withdrawn`` with the usual reasons, by nobody, audited,
emailing nobody; decided prompts are never touched; a second run closes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.notifications.models import StaffNotification
from apps.patients.models import Patient
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_services import program_item_update
from apps.programs.models import ProgramItem, ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import (
    CLOSED_ARCHIVED,
    CLOSED_ENDED,
    CLOSED_REMOVED,
    prompt_approve,
    prompt_decline,
    prompt_snooze,
)
from apps.programs.stale_prompts import prompts_close_stale
from apps.programs.tasks import close_stale_prompts
from config.celery import DAILY_JOBS
from config.celery import app as celery_app
from tests.factories import ClinicFactory, PatientFactory, StaffFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db


def _state(prompt: ProgressionPrompt) -> tuple[str, str]:
    prompt.refresh_from_db()
    return prompt.status, prompt.decision_reason


def _closing_entries(prompt: ProgressionPrompt) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_ref=str(prompt.public_id)))


def _ending_in(prompt: ProgressionPrompt, days: int) -> ProgressionPrompt:
    """Give the prompt's program an end date ``days`` after the patient's today, as the
    therapist does on the schedule form (a date still to come closes nothing yet)."""
    program, patient = prompt.item.program, prompt.patient
    program_schedule_update(
        actor=patient.therapist, program=program, weekdays=program.weekday_numbers,
        start_date=program.start_date, end_date=patient.local_today() + timedelta(days=days),
    )  # fmt: skip
    assert _state(prompt) == (PromptStatus.PENDING, "")
    return prompt


def _days_later(days: int) -> datetime:
    return timezone.now() + timedelta(days=days)


def test_a_program_whose_end_date_passed_has_its_prompts_closed_and_audited(patient_a):
    prompt = _ending_in(make_prompt(patient_a), days=1)

    later = _days_later(2)

    closed = prompts_close_stale(now=later)

    assert closed == 1
    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_ENDED)
    assert (prompt.decided_by, prompt.decided_at) == (None, later)
    (entry,) = _closing_entries(prompt)
    assert (entry.actor, entry.patient_id, entry.action) == (None, patient_a.pk, "change")
    assert entry.detail == f"closed: {CLOSED_ENDED}"
    assert audit_chain_verify().first_break is None


def _noon(patient: Patient, days: int) -> datetime:
    """Noon of the patient's own day ``days`` after their today."""
    day = patient.local_today() + timedelta(days=days)
    return datetime.combine(day, time(12), ZoneInfo(patient.time_zone))


def test_a_program_ending_today_keeps_its_prompts_open_until_the_day_after(patient_a):
    prompt = _ending_in(make_prompt(patient_a), days=1)

    assert prompts_close_stale(now=_noon(patient_a, 1)) == 0
    assert _state(prompt) == (PromptStatus.PENDING, "")

    assert prompts_close_stale(now=_noon(patient_a, 2)) == 1
    assert _state(prompt)[0] == PromptStatus.WITHDRAWN


def test_the_end_date_passes_in_each_patients_own_time_zone(therapist_a):
    auckland = PatientFactory(therapist=therapist_a, time_zone="Pacific/Auckland")
    los_angeles = PatientFactory(therapist=therapist_a, time_zone="America/Los_Angeles")
    end = timezone.localdate() + timedelta(days=3)
    prompts = {}
    for patient in (auckland, los_angeles):
        prompt = make_prompt(patient)
        _ending_in(prompt, days=(end - patient.local_today()).days)
        prompts[patient.time_zone] = prompt
    # Half past midnight the day after the end in Auckland: still the end day in California.
    now = datetime.combine(end + timedelta(days=1), time(0, 30), ZoneInfo("Pacific/Auckland"))

    assert prompts_close_stale(now=now) == 1

    assert _state(prompts["Pacific/Auckland"]) == (PromptStatus.WITHDRAWN, CLOSED_ENDED)
    assert _state(prompts["America/Los_Angeles"]) == (PromptStatus.PENDING, "")


def test_prompts_left_open_on_removed_exercises_and_archived_patients_close_too(therapist_a):
    """Data from before closing existed: the removal and the archive left them open."""
    removed = make_prompt(PatientFactory(therapist=therapist_a))
    yesterday = removed.patient.local_today() - timedelta(days=1)
    ProgramItem.objects.filter(pk=removed.item_id).update(active_until=yesterday)
    archived = make_prompt(PatientFactory(therapist=therapist_a))
    Patient.objects.filter(pk=archived.patient_id).update(archived_at=timezone.now())

    assert prompts_close_stale() == 2

    assert _state(removed) == (PromptStatus.WITHDRAWN, CLOSED_REMOVED)
    assert _state(archived) == (PromptStatus.WITHDRAWN, CLOSED_ARCHIVED)
    assert [e.detail for e in _closing_entries(archived)] == [f"closed: {CLOSED_ARCHIVED}"]


def test_an_exercise_removed_before_its_program_ended_reads_as_removed(patient_a):
    prompt = _ending_in(make_prompt(patient_a), days=1)
    yesterday = patient_a.local_today() - timedelta(days=1)
    ProgramItem.objects.filter(pk=prompt.item_id).update(active_until=yesterday)

    prompts_close_stale(now=_days_later(5))

    assert _state(prompt) == (PromptStatus.WITHDRAWN, CLOSED_REMOVED)


def test_an_exercise_carried_on_by_a_dose_edit_or_new_weekdays_keeps_its_prompt(patient_a):
    dosed, rescheduled = make_prompt(patient_a), make_prompt(patient_a)
    item, program, therapist = dosed.item, rescheduled.item.program, patient_a.therapist
    program_item_update(
        actor=therapist, item=item, sets=3, reps=12, hold_seconds=None,
        per_side=item.per_side, rest_seconds=item.rest_seconds,
    )  # fmt: skip
    follow_on = program_schedule_update(
        actor=therapist, program=program, weekdays=[0, 2, 4], start_date=program.start_date
    )

    assert follow_on.pk != program.pk  # the old version ended yesterday; the exercise goes on
    assert prompts_close_stale(now=_days_later(3)) == 0
    assert _state(dosed) == _state(rescheduled) == (PromptStatus.PENDING, "")


def test_snoozed_prompts_close_and_decided_ones_are_never_touched(patient_a):
    therapist = patient_a.therapist
    snoozed, approved, declined = (make_prompt(patient_a) for _ in range(3))
    prompt_snooze(prompt=snoozed, user=therapist, until=patient_a.local_today() + timedelta(3))
    prompt_approve(prompt=approved, user=therapist)
    prompt_decline(prompt=declined, user=therapist, reason="Hip still sore on stairs")
    Patient.objects.filter(pk=patient_a.pk).update(archived_at=timezone.now())

    assert prompts_close_stale() == 1

    assert _state(snoozed) == (PromptStatus.WITHDRAWN, CLOSED_ARCHIVED)
    assert _state(approved) == (PromptStatus.APPROVED, "")
    assert _state(declined) == (PromptStatus.DECLINED, "Hip still sore on stairs")
    assert [len(_closing_entries(p)) for p in (approved, declined)] == [1, 1]  # their decisions


def test_it_is_safe_to_run_twice_and_emails_nobody(patient_a):
    _ending_in(make_prompt(patient_a), days=1)
    later = _days_later(2)

    assert prompts_close_stale(now=later) == 1
    entries = AuditEntry.objects.count()
    assert prompts_close_stale(now=later) == 0

    assert AuditEntry.objects.count() == entries
    assert not StaffNotification.objects.exists()
    assert mail.outbox == []


def _clinic_with_stale_prompts(count: int) -> None:
    therapist = StaffFactory(clinic=ClinicFactory())
    for _ in range(count):
        _ending_in(make_prompt(PatientFactory(therapist=therapist)), days=1)


def _queries_to_close(now: datetime) -> int:
    with CaptureQueriesContext(connection) as queries:
        prompts_close_stale(now=now)
    return len(queries)


def test_the_queries_do_not_grow_with_the_prompts_of_a_clinic():
    _clinic_with_stale_prompts(2)
    few = _queries_to_close(_days_later(2))
    _clinic_with_stale_prompts(8)
    many = _queries_to_close(_days_later(2))

    assert few == many
    assert ProgressionPrompt.objects.filter(status=PromptStatus.WITHDRAWN).count() == 10


def test_batches_go_on_past_the_prompts_that_stay_open(patient_a):
    """Prompts of a clinic in batches of two: the open ones each batch leaves are passed
    over, not read again for ever."""
    therapist = patient_a.therapist
    ending = [_ending_in(make_prompt(PatientFactory(therapist=therapist)), 1) for _ in range(3)]
    staying = [make_prompt(PatientFactory(therapist=therapist)) for _ in range(3)]

    assert prompts_close_stale(now=_days_later(2), batch=2) == 3

    assert {_state(p)[0] for p in ending} == {PromptStatus.WITHDRAWN}
    assert {_state(p)[0] for p in staying} == {PromptStatus.PENDING}


def test_beat_runs_the_task_daily_and_the_task_closes_them(patient_a):
    task = DAILY_JOBS["prompts-close-stale"]  # queued once a UTC day (tests/core/test_daily_jobs)
    prompt = make_prompt(patient_a)
    Patient.objects.filter(pk=patient_a.pk).update(archived_at=timezone.now())

    assert task == close_stale_prompts.name
    assert task in celery_app.tasks
    assert close_stale_prompts() == 1
    assert _state(prompt)[0] == PromptStatus.WITHDRAWN
