"""The next-morning check of the pain-monitoring model (CLINICAL.md).

The first time the patient opens Today on the day after an exercise day, one question asks
how the hip is compared with before yesterday's exercises (better, about the same, worse),
and its stiffness. "Worse" (either answer) holds back the patient's open prompts, takes back
an automatic advance those exercises (or this morning's) gave, and tells the patient to go
lighter today.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists

from apps.patients.models import Patient
from apps.patients.services import patient_row_lock, patient_today_bump
from apps.programs.models import Compared, MorningCheck, ProgressionPrompt, PromptStatus, SetLog
from apps.programs.prompt_holds import auto_advances_undo_for_morning

OPEN_STATUSES = (PromptStatus.PENDING, PromptStatus.SNOOZED)


def morning_check_due(*, patient: Patient, today: date) -> date | None:
    """The exercise day to ask about (yesterday, when sets were logged that day), or None
    when there is nothing to ask or today's answer is already in. One query."""
    yesterday = today - timedelta(days=1)
    answered = MorningCheck.objects.filter(patient=patient, local_date=today)
    exercised = SetLog.objects.filter(patient=patient, performed_on=yesterday)
    due = exercised.exclude(Exists(answered)).exists()
    return yesterday if due else None


def morning_check_today(*, patient: Patient, today: date) -> MorningCheck | None:
    return MorningCheck.objects.filter(patient=patient, local_date=today).first()


def _answer(value: object, name: str, errors: dict[str, str]) -> str:
    if value not in Compared.values:
        label = "your hip" if name == "hip" else "its stiffness"
        errors[name] = f"Choose how {label} is this morning: better, about the same, or worse."
    return str(value)


@transaction.atomic
def morning_check_record(
    *, patient: Patient, hip: object, stiffness: object, today: date | None = None
) -> tuple[MorningCheck, bool]:
    """Record this morning's answer; ``(check, created)``. A second answer the same morning
    returns the first (a retried request saves once). "Worse" holds back open prompts and
    takes back the automatic advance of the exercise day it is about."""
    today = today or patient.local_today()
    errors: dict[str, str] = {}
    hip_value, stiffness_value = (
        _answer(hip, "hip", errors),
        _answer(stiffness, "stiffness", errors),
    )
    if errors:
        raise ValidationError(errors)
    # Before reading anything: a prompt being raised at this moment (yesterday's sets synced
    # from the phone) waits for this answer or is waited for, and is held back either way.
    patient_row_lock(patient_id=patient.pk)
    existing = morning_check_today(patient=patient, today=today)
    if existing is not None:
        return existing, False
    exercise_day = morning_check_due(patient=patient, today=today)
    if exercise_day is None:
        raise ValidationError({"hip": "There is no morning question today: no exercise yesterday."})
    try:
        with transaction.atomic():
            check = MorningCheck.objects.create(
                patient=patient,
                local_date=today,
                exercise_day=exercise_day,
                hip=hip_value,
                stiffness=stiffness_value,
            )
    except IntegrityError:  # a simultaneous answer won: keep it
        existing = morning_check_today(patient=patient, today=today)
        assert existing is not None
        return existing, False
    if check.is_worse:
        prompts_hold_for_morning(check=check)
        auto_advances_undo_for_morning(check=check)
    patient_today_bump(patient_id=patient.pk)  # the question becomes its advice
    return check, True


def prompts_hold_for_morning(*, check: MorningCheck) -> int:
    """Hold back the patient's open prompts (qualified up to this morning) not already held
    by an answer; returns how many."""
    return ProgressionPrompt.objects.filter(
        patient_id=check.patient_id,
        status__in=OPEN_STATUSES,
        qualified_on__lte=check.local_date,
        held_back_check__isnull=True,
    ).update(held_back_check=check)
