"""Writes for outcome measures. Each runs in one transaction with its audit entry; bad input
raises ``ValidationError`` before anything is written, so nothing is ever half-saved. Remote
monitoring's writes are in ``monitoring_services``."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import Clinic, User
from apps.core.once import create_once, request_print
from apps.outcomes import instruments as inst
from apps.outcomes import psfs
from apps.outcomes.instruments import Code, Instrument
from apps.outcomes.models import (
    Answer,
    ClinicWording,
    MeasurePlan,
    ProgressReport,
    Questionnaire,
    Status,
)
from apps.outcomes.resubmit import questionnaire_resubmitted
from apps.patients.models import Patient
from apps.patients.services import patient_row_lock, patient_today_bump
from apps.programs.locks import lock_program_if_editable
from apps.programs.models import Program

# Open-ended programs get their questionnaires this far ahead; the daily task extends them.
HORIZON = timedelta(days=365)
WORDING_MAX_LENGTH = 400
OPTION_KEYS = tuple(f"option_{n}" for n in range(5))
# A 400, as every change to an archived patient's programs (``apps.programs.locks``).
MEASURES_ARCHIVED = "This patient is archived; restore them to change their outcome measures."


# --- A clinic's licensed wording ------------------------------------------------------------
def wording_parse_csv(content: bytes) -> dict[str, str]:
    """``key,text`` rows of an uploaded file as a mapping; a clear error for anything else."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": ["The file must be UTF-8 text (CSV)."]}) from exc
    rows: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise ValidationError({"file": [f"Line {number}: expected two columns, key,text."]})
        key, value = row[0].strip(), row[1].strip()
        if number == 1 and key.lower() == "key":
            continue  # a header row
        if key in rows:
            raise ValidationError({"file": [f"Line {number}: {key!r} appears twice."]})
        rows[key] = value
    return rows


def _wording_errors(spec: Instrument, rows: Mapping[str, str]) -> list[str]:
    expected = (*spec.item_keys, *OPTION_KEYS)
    errors = [f"Missing {key}." for key in expected if not rows.get(key, "").strip()]
    errors += [f"{key!r} is not part of {spec.short}." for key in rows if key not in expected]
    errors += [
        f"{key} is longer than {WORDING_MAX_LENGTH} characters."
        for key, value in rows.items()
        if len(value) > WORDING_MAX_LENGTH
    ]
    return errors


@transaction.atomic
def wording_load(
    *, admin: User, instrument: str, rows: Mapping[str, str], request: Any = None
) -> ClinicWording:
    """Store the clinic's wording for a licensed instrument after checking it has exactly
    the instrument's items (and the five answer labels), each with text."""
    spec = inst.INSTRUMENTS.get(Code(instrument)) if instrument in set(Code) else None
    if spec is None or not spec.licensed:
        raise ValidationError({"instrument": ["Only LEFS and HOOS-12 take a clinic's wording."]})
    errors = _wording_errors(spec, rows)
    if errors:
        raise ValidationError({"items": errors})
    assert admin.clinic_id is not None  # clinic staff only (the view checks the role)
    wording, _ = ClinicWording.objects.update_or_create(
        clinic_id=admin.clinic_id,
        instrument=spec.code.value,
        defaults={
            "items": {key: rows[key].strip() for key in spec.item_keys},
            "options": [rows[key].strip() for key in OPTION_KEYS],
            "loaded_by": admin,
            "loaded_at": timezone.now(),
        },
    )
    audit_record(
        actor=admin, action=Action.CHANGE, target=wording, detail=f"wording {spec.short}",
        request=request,
    )  # fmt: skip
    return wording


def schedulable(clinic: Clinic | int, code: str) -> bool:
    """A licensed instrument is schedulable once its clinic loaded the wording."""
    spec = inst.instrument(code)
    if not spec.licensed:
        return True
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    return ClinicWording.objects.filter(clinic_id=clinic_id, instrument=code).exists()


# --- Scheduling -----------------------------------------------------------------------------
def due_dates(program: Program, plan: MeasurePlan, *, through: date) -> list[date]:
    """The days ``plan`` asks for its instrument, up to ``through`` and the program's end.

    A program that continues an earlier version (``plan.counts_from``) asks nothing at its
    own start: the cadence goes on from the first version's start."""
    start = program.start_date
    if start is None:
        return []
    last = min(through, program.end_date) if program.end_date else through
    spec = inst.instrument(plan.instrument)
    anchor = plan.counts_from or start
    days = [start] if plan.at_start and not spec.from_second and anchor == start else []
    step = timedelta(days=plan.interval_days)
    day = anchor + step * max(1, -(-(start - anchor).days // plan.interval_days))
    while day <= last:
        days.append(day)
        day += step
    if plan.at_end and program.end_date and program.end_date > start:
        days.append(program.end_date)
    return sorted(set(days))


def plan_sync(*, plan: MeasurePlan, today: date | None = None) -> int:
    """Create the plan's questionnaires (idempotent through the unique constraint) and drop
    open ones nobody started that the schedule no longer asks for. Returns how many exist."""
    program = plan.program
    assert program.patient is not None  # plans exist on assigned programs only
    patient_id = program.patient.pk
    today = today or program.patient.local_today()
    days = due_dates(program, plan, through=today + HORIZON)
    Questionnaire.objects.bulk_create(
        [
            Questionnaire(
                patient_id=patient_id,
                program=program,
                instrument=plan.instrument,
                due_on=day,
            )
            for day in days
        ],
        ignore_conflicts=True,
    )
    mine = Questionnaire.objects.filter(program=program, instrument=plan.instrument)
    mine.filter(status=Status.OPEN, started_at__isnull=True).exclude(due_on__in=days).delete()
    patient_today_bump(patient_id=patient_id)  # Today lists the questionnaires due
    return mine.count()


def _check_measures(program: Program, codes: Sequence[str], interval_days: int) -> None:
    errors: dict[str, list[str]] = {}
    unknown = [code for code in codes if code not in set(Code)]
    if unknown:
        errors["instruments"] = [f"Unknown measure: {', '.join(unknown)}."]
    elif any(not schedulable(program.clinic_id, code) for code in codes):
        errors["instruments"] = [
            "LEFS and HOOS-12 can be scheduled once a clinic admin has loaded their wording."
        ]
    if not 7 <= interval_days <= 91:
        errors["interval_days"] = ["Repeat every 7 to 91 days."]
    if program.is_template or program.patient_id is None:
        errors["program"] = ["Measures are scheduled on a patient's program, not a template."]
    elif not program.is_active:
        errors["program"] = [
            "Assign the program first: measures are scheduled on an assigned program, as the "
            "patient sees nothing of a draft."
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measures_set(
    *,
    user: User,
    program: Program,
    instruments: Sequence[str],
    interval_days: int = 14,
    at_start: bool = True,
    at_end: bool = True,
    request: Any = None,
) -> list[MeasurePlan]:
    """Schedule exactly ``instruments`` for the program and create their questionnaires.

    Under the program's lock, which every writer of the patient's programs takes first and
    archiving takes too (``lock_program_if_editable``): a caller who may no longer change
    the program (handed over since the request's own check) is a 404, and an archived
    (discharged) patient's measures are refused (``MEASURES_ARCHIVED``), a patient archived
    while the request waited included; nothing is saved or audited."""
    lock_program_if_editable(program=program, actor=user, archived_ok=True)
    if program.patient_archived:
        raise ValidationError(MEASURES_ARCHIVED)
    codes = list(dict.fromkeys(instruments))
    _check_measures(program, codes, interval_days)
    removed = MeasurePlan.objects.filter(program=program).exclude(instrument__in=codes)
    Questionnaire.objects.filter(
        program=program, status=Status.OPEN, started_at__isnull=True,
        instrument__in=removed.values("instrument"),
    ).delete()  # fmt: skip
    removed.delete()
    plans = []
    for code in codes:
        plan, _ = MeasurePlan.objects.update_or_create(
            program=program, instrument=code,
            defaults={"interval_days": interval_days, "at_start": at_start, "at_end": at_end},
        )  # fmt: skip
        plan_sync(plan=plan)
        plans.append(plan)
    patient_today_bump(patient_id=program.patient_id)
    audit_record(
        actor=user, action=Action.CHANGE, patient=program.patient, target=program,
        detail=f"outcome measures: {', '.join(codes) or 'none'}", request=request,
    )  # fmt: skip
    return plans


def program_resync(*, program_id: int) -> int:
    """A program's dates changed: follow them now (the task the programs app enqueues
    through the outbox; the daily job would catch up too). Safe to run twice."""
    return plans_sync_all(program_id=program_id)


@transaction.atomic
def plans_follow(*, program_id: int, follow_on_id: int) -> int:
    """The program continued as a new version (its weekdays changed after it started):
    its measures move to the new version, counting from the first version's start, and its
    open questionnaires nobody started after its new end go. Safe to run twice (the second
    run finds no plans left to move). Returns how many plans moved."""
    program = Program.objects.select_for_update().filter(pk=program_id).first()
    follow_on = Program.objects.filter(pk=follow_on_id, patient_id__isnull=False).first()
    if program is None or follow_on is None or program.start_date is None:
        return 0
    plans = list(MeasurePlan.objects.filter(program=program))
    for plan in plans:
        moved, _ = MeasurePlan.objects.update_or_create(
            program=follow_on, instrument=plan.instrument,
            defaults={
                "interval_days": plan.interval_days, "at_start": plan.at_start,
                "at_end": plan.at_end, "counts_from": plan.counts_from or program.start_date,
            },
        )  # fmt: skip
        plan_sync(plan=moved)
    MeasurePlan.objects.filter(pk__in=[plan.pk for plan in plans]).delete()
    if program.end_date is not None:
        Questionnaire.objects.filter(
            program=program, status=Status.OPEN, started_at__isnull=True,
            due_on__gt=program.end_date,
        ).delete()  # fmt: skip
    patient_today_bump(patient_id=program.patient_id)
    return len(plans)


def plans_sync_all(*, plan_ids: Iterable[int] | None = None, program_id: int | None = None) -> int:
    """The daily job: extend every active program's questionnaires (safe to run twice).

    An archived (discharged) patient's are left as the discharge left them: they cannot sign
    in to answer, and their measures may not change (``measures_set``). Restored, the next
    run makes what their schedule asks for, the days missed meanwhile included."""
    plans = MeasurePlan.objects.filter(
        program__is_active=True, program__patient__archived_at__isnull=True
    ).select_related("program__patient")
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    if program_id is not None:
        plans = plans.filter(program_id=program_id)
    count = 0
    for plan in plans:
        patient_id = plan.program.patient_id
        assert patient_id is not None  # plans exist on assigned programs only
        with transaction.atomic():
            # Asked again under the patient's lock, which archiving takes: a patient
            # archived since the list was read gets nothing either.
            if patient_row_lock(patient_id=patient_id) is not None:
                continue
            plan_sync(plan=plan)
        count += 1
    return count


# --- Answering ------------------------------------------------------------------------------
def _check_values(spec: Instrument, answers: Mapping[str, Any], allowed: Sequence[str]) -> None:
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        if key not in allowed:
            errors[key] = [f"{spec.short} has no question {key!r} here."]
        elif value is None:
            continue  # clears the answer saved before
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[key] = ["Give a whole number."]
        elif not spec.answer_min <= value <= spec.answer_max:
            errors[key] = [f"Choose from {spec.answer_min} to {spec.answer_max}."]
    if errors:
        raise ValidationError(errors)


def _allowed_items(spec: Instrument, activities: Sequence[str]) -> tuple[str, ...]:
    if spec.patient_items:
        return spec.item_keys[: len(activities)]
    return spec.item_keys


def _lock_open(questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status != Status.OPEN:
        raise ValidationError({"questionnaire": ["This questionnaire was already submitted."]})
    return locked


def _store_answers(questionnaire: Questionnaire, answers: Mapping[str, int | None]) -> None:
    """Each answer saved; one given as None (the patient cleared it) removed."""
    now = timezone.now()
    cleared = [key for key, value in answers.items() if value is None]
    if cleared:
        questionnaire.answers.filter(item_key__in=cleared).delete()
    for key, value in answers.items():
        if value is None:
            continue
        Answer.objects.update_or_create(
            questionnaire=questionnaire, item_key=key,
            defaults={"value": value, "answered_at": now},
        )  # fmt: skip


@transaction.atomic
def questionnaire_answer(
    *,
    patient: Patient,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    activities: Sequence[Any] | None = None,
) -> Questionnaire:
    """Save some answers of an open questionnaire (it resumes from them)."""
    if questionnaire.patient_id != patient.pk:
        raise ValidationError({"questionnaire": ["Not your questionnaire."]})
    locked = _lock_open(questionnaire)
    spec = inst.instrument(locked.instrument)
    activities, answers = psfs.by_slot(locked, activities, answers)
    names = psfs.activities_for(locked, activities, sending=False)
    _check_values(spec, answers, _allowed_items(spec, names))
    psfs.carry_ratings(locked, names)
    _store_answers(locked, answers)
    locked.activities = names
    locked.started_at = locked.started_at or timezone.now()
    locked.save(update_fields=["activities", "started_at"])
    patient_today_bump(patient_id=patient.pk)  # Today offers to carry on
    return locked


def _required_missing(
    spec: Instrument, values: Mapping[str, int], names: Sequence[str]
) -> list[str]:
    # Said to the patient, so in the page's words ("activity 2 (Walking 2 km)", "question
    # 4"), never the item's key.
    if spec.patient_items:
        allowed = _allowed_items(spec, names)
        return [f"activity {n} ({names[n - 1]})"
                for n, key in enumerate(allowed, start=1) if key not in values]  # fmt: skip
    if spec.needs_every_item:
        return [f"question {n}" for n, key in enumerate(spec.item_keys, start=1)
                if key not in values]  # fmt: skip
    scores = inst.score(spec, values)
    return [
        f"{scale.label} (answer at least {scale.min_answered} of its {len(scale.items)})"
        for scale in spec.scales
        if scores[scale.key] is None
    ]


def questionnaire_submit(
    *,
    patient: Patient,
    questionnaire: Questionnaire,
    submission_id: uuid.UUID,
    answers: Mapping[str, Any] | None = None,
    activities: Sequence[Any] | None = None,
) -> Questionnaire:
    """Submit once: the final answers (if sent), scores, and the phone's submission id."""
    if questionnaire.patient_id != patient.pk:
        raise ValidationError({"questionnaire": ["Not your questionnaire."]})
    answers = answers or {}
    if questionnaire.status == Status.SUBMITTED:  # a retry answers as before, saving nothing
        return questionnaire_resubmitted(questionnaire, submission_id, answers, activities)
    try:
        with transaction.atomic():
            return _submit(questionnaire, submission_id, answers, activities)
    except IntegrityError:
        # A concurrent retry with the same id won the race: answer with its result.
        questionnaire.refresh_from_db()
        return questionnaire_resubmitted(questionnaire, submission_id, answers, activities)


def _submit(
    questionnaire: Questionnaire,
    submission_id: uuid.UUID,
    answers: Mapping[str, Any],
    activities: Sequence[Any] | None,
) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status == Status.SUBMITTED:
        # Submitted since it was read.
        return questionnaire_resubmitted(locked, submission_id, answers, activities)
    spec = inst.instrument(locked.instrument)
    activities, answers = psfs.by_slot(locked, activities, answers)
    names = psfs.activities_for(locked, activities, sending=True)
    _check_values(spec, answers, _allowed_items(spec, names))
    psfs.carry_ratings(locked, names)
    _store_answers(locked, answers)
    values = dict(locked.answers.values_list("item_key", "value"))
    missing = _required_missing(spec, values, names)
    if missing:
        raise ValidationError({"answers": [f"Still to answer: {', '.join(missing)}."]})
    scores = inst.score(spec, values)
    now = timezone.now()
    locked.activities = names
    locked.scores = {k: (str(v) if v is not None else None) for k, v in scores.items()}
    locked.status = Status.SUBMITTED
    locked.submission_id = submission_id
    locked.submitted_at = now
    locked.started_at = locked.started_at or now
    locked.save(
        update_fields=[
            "activities", "scores", "status", "submission_id", "submitted_at", "started_at"
        ]
    )  # fmt: skip
    patient_today_bump(patient_id=locked.patient_id)  # no longer due on Today
    audit_record(
        actor=locked.patient.user, action=Action.CREATE, patient=locked.patient, target=locked,
        detail=f"questionnaire {spec.short} submitted",
    )  # fmt: skip
    return locked


# --- Progress report ------------------------------------------------------------------------
@transaction.atomic
def report_create(
    *,
    user: User,
    patient: Patient,
    note: str,
    data: dict[str, Any],
    client_id: uuid.UUID | None = None,
    request: Any = None,
) -> ProgressReport:
    """Freeze a progress report (``data`` from ``report_selectors.report_data``) and audit it.
    Once per ``client_id`` (``apps.core.once``): sent again, the report it froze; another
    note under that key is refused."""
    if len(note) > 4000:
        raise ValidationError({"note": ["Keep the note to 4000 characters or fewer."]})
    # The note only: ``data`` is what the server read, and a retry reads it again.
    asked = request_print(client_id, note=note.strip())

    def create() -> ProgressReport:
        report = ProgressReport.objects.create(
            patient=patient, author=user, note=note.strip(), data=data, client_id=client_id,
            client_request=asked,
        )  # fmt: skip
        audit_record(
            actor=user, action=Action.EXPORT, patient=patient, target=report,
            detail="progress report for the referrer", request=request,
        )  # fmt: skip
        return report

    def same_patient(first: ProgressReport) -> bool:
        return first.patient_id == patient.pk

    return create_once(ProgressReport, client_id, create, same=same_patient, asked=asked)
