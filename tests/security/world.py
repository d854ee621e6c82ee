"""Two clinics, each with one of every object the app knows about.

Known models get explicit builders. Models added later (alerts, reminders, report jobs, ...)
are built by ``autofill``: required fields get a plausible value and foreign keys point at
the same clinic's objects, so the isolation matrix keeps covering new models without edits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import Clinic, TokenScope, User
from apps.clinics.tokens import api_token_create
from apps.exercises.models import EvidenceValue, Study
from apps.patients.models import HipPrecaution, Patient
from apps.programs.models import LevelChange, ProgressionPrompt, SetLog
from tests.factories import (
    AdminFactory,
    ClinicFactory,
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

# Models of other apps to build when they exist: label -> kind name used by expectations.
OPTIONAL_MODELS = {
    "notifications.painalert": "alert",
    "notifications.reminder": "reminder",
    "notifications.staffnotification": "notification",
    "reports.reportjob": "report_job",
    "outcomes.questionnaire": "questionnaire",
    "outcomes.progressreport": "progress_report",
    "outcomes.timeentry": "time_entry",
}


@dataclass
class Side:
    """One clinic's people and objects. ``objects`` maps a kind to an instance."""

    clinic: Clinic
    admin: User
    therapist: User
    patient: Patient
    objects: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    unbuilt: dict[str, str] = field(default_factory=dict)

    def strings(self) -> list[str]:
        """Values that must never appear in a response to the other clinic."""
        values = [self.patient.full_name, str(self.patient.public_id)]
        for obj in self.objects.values():
            public_id = getattr(obj, "public_id", None)
            if public_id is not None:
                values.append(str(public_id))
        return values


def _people(label: str):
    clinic = ClinicFactory(name=f"Clinic {label.upper()}")
    admin = AdminFactory(clinic=clinic, email=f"admin@{label}.example", full_name=f"Admin {label}")
    therapist = StaffFactory(
        clinic=clinic, email=f"therapist@{label}.example", full_name=f"Therapist {label}"
    )
    patient = PatientFactory(
        therapist=therapist, full_name=f"Patient Zq{label}x", year_of_birth=1960
    )
    return clinic, admin, therapist, patient


def _programs(side: Side) -> None:
    objects = side.objects
    objects["exercise"] = ExerciseFactory(clinic=side.clinic, name=f"Clinic {side.clinic.pk} move")
    objects["ladder"] = LadderFactory(clinic=side.clinic, levels=2)
    study = Study.objects.create(
        key=f"clinic-study-{side.clinic.pk}",
        clinic=side.clinic,
        short_name="Our study",
        citation="x",
    )
    objects["evidence"] = EvidenceValue.objects.create(
        exercise=objects["exercise"],
        study=study,
        muscle="gluteus_medius",
        mvic_percent=Decimal("30"),
        confidence="clinic",
        clinic=side.clinic,
        source="Our own measurements",
    )
    objects["template"] = TemplateProgramFactory(clinic=side.clinic, created_by=side.therapist)
    program = ProgramFactory(patient=side.patient)
    objects["program"] = program
    objects["item"] = ExerciseItemFactory(program=program, exercise=objects["exercise"])
    objects["ladder_item"] = LadderItemFactory(program=program, ladder=objects["ladder"])
    today = side.patient.local_today()
    objects["precaution"] = HipPrecaution.objects.create(
        patient=side.patient, kind="posterior", starts_on=today,
        ends_on=today + dt.timedelta(weeks=6), note=f"Surgeon's letter {side.clinic.pk}",
    )  # fmt: skip


def _logs(side: Side) -> None:
    item = side.objects["ladder_item"]
    today = side.patient.local_today()
    level_one = item.ladder.levels.get(level=1)
    log = SetLog.objects.create(
        client_id=uuid.uuid4(),
        patient=side.patient,
        item=item,
        performed_on=today,
        side="left",
        reps=20,
        pain=8,
        exercise=level_one.exercise,
        ladder_level=1,
        target_sets=item.sets,
        target_reps=item.reps,
        target_per_side=True,
    )
    side.objects["set_log"] = log
    side.objects["prompt"] = ProgressionPrompt.objects.create(
        patient=side.patient, item=item, track=item.track, level=1, next_level=2, triggered_by=log
    )
    side.objects["level_change"] = LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=today, reason="Reached 20 reps"
    )


def _media(side: Side) -> None:
    """A photo of the clinic's exercise, which is in its patient's program: stored for real,
    so its owner's request for the file answers 200."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.media.services import media_upload
    from tests.media.samples import png

    photo = SimpleUploadedFile("photo.png", png(), content_type="image/png")
    side.objects["media"] = media_upload(
        actor=side.therapist, exercise=side.objects["exercise"], upload=photo
    )


def _credentials(side: Side) -> None:
    token, secret = api_token_create(
        admin=side.admin, user=side.therapist, name="Integration", scope=TokenScope.READ_WRITE
    )
    side.objects["api_token"] = token
    side.secrets["therapist_token"] = secret
    _, side.secrets["read_only_token"] = api_token_create(
        admin=side.admin, user=side.therapist, name="Reports"
    )
    side.objects["audit_entry"] = audit_record(
        actor=side.therapist, action=Action.VIEW, patient=side.patient, target=side.patient
    )


def _value_for(f: models.Field[Any, Any], side: Side) -> Any:
    if f.choices:
        return f.choices[0][0]
    simple: list[tuple[type[models.Field[Any, Any]], Any]] = [
        (models.EmailField, "someone@example.com"),
        (models.BooleanField, False),
        (models.DateTimeField, timezone.now()),
        (models.DateField, side.patient.local_today()),
        (models.TimeField, dt.time(9, 0)),
        (models.DecimalField, Decimal("1")),
        (models.IntegerField, 1),
        (models.FloatField, 1.0),
        (models.UUIDField, uuid.uuid4()),
        (models.JSONField, {}),
        (models.CharField, "x"),
        (models.TextField, "x"),
    ]
    for kind, value in simple:
        if isinstance(f, kind):
            return value
    return None


def _related_for(f: models.ForeignKey[Any, Any], side: Side) -> Any:
    target = f.related_model
    if target is Clinic:
        return side.clinic
    if target is User:
        return side.patient.user if "patient" in f.name else side.therapist
    if target is Patient:
        return side.patient
    for obj in side.objects.values():
        if isinstance(obj, target):
            return obj
    return None


def autofill(model: type[models.Model], side: Side) -> models.Model:
    """An instance of ``model`` belonging to ``side``'s clinic, saved; raises if impossible."""
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.has_default() or (f.null and not isinstance(f, models.ForeignKey)):
            continue
        if isinstance(f, models.ForeignKey):
            related = _related_for(f, side)
            if related is not None:
                values[f.name] = related
            continue
        if not f.blank or f.choices:
            values[f.name] = _value_for(f, side)
    with transaction.atomic():
        return model._default_manager.create(**values)


def _optional(side: Side) -> None:
    for label, kind in OPTIONAL_MODELS.items():
        app_label, model_name = label.split(".")
        if not apps.is_installed(f"apps.{app_label}"):
            continue
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        try:
            side.objects[kind] = autofill(model, side)
        except (IntegrityError, ValueError, TypeError) as exc:
            side.unbuilt[kind] = f"{type(exc).__name__}: {exc}"


def _report_file(side: Side) -> None:
    """The report job finished, with its file stored for real: its owner's download answers
    200, so another clinic's 404 shows the scoping, not a job that has no file yet."""
    from django.core.files.base import ContentFile

    from apps.reports.models import JobStatus

    job = side.objects.get("report_job")
    if job is None:
        return
    job.file.save("matrix.csv", ContentFile(f"{side.patient.full_name}\r\n".encode()), save=False)
    job.status, job.finished_at = JobStatus.DONE, timezone.now()
    job.save(update_fields=["file", "status", "finished_at"])


def build_side(label: str) -> Side:
    clinic, admin, therapist, patient = _people(label)
    side = Side(clinic=clinic, admin=admin, therapist=therapist, patient=patient)
    side.objects["patient"] = patient
    side.objects["therapist"] = therapist
    # A colleague invited but not started: resend and cancel name them.
    side.objects["invited"] = User.objects.create_user(
        email=f"invited@{label}.example", password=None, clinic=clinic, role="therapist",
        full_name=f"Invited {label}",
    )  # fmt: skip
    _programs(side)
    _logs(side)
    _media(side)
    _credentials(side)
    _optional(side)
    _report_file(side)
    return side


@dataclass
class World:
    a: Side
    b: Side


def build_world() -> World:
    return World(a=build_side("a"), b=build_side("b"))


# What belongs to one patient (and their therapist), as opposed to the clinic's library.
PERSONAL_KINDS = frozenset(
    {"patient", "program", "item", "ladder_item", "precaution", "set_log", "prompt",
     "alert", "questionnaire", "progress_report", "time_entry"}
)  # fmt: skip


def build_colleague(side: Side) -> Side:
    """A colleague of ``side``'s therapist in the same clinic, with a patient of their own and
    that patient's objects (the clinic's library and credentials are shared with ``side``)."""
    therapist = cast(
        User,
        StaffFactory(
            clinic=side.clinic, email="colleague@a.example", full_name="Therapist Colleague"
        ),
    )
    patient = cast(
        Patient,
        PatientFactory(therapist=therapist, full_name="Patient Zqcx", year_of_birth=1960),
    )
    colleague = Side(clinic=side.clinic, admin=side.admin, therapist=therapist, patient=patient)
    shared = {k: v for k, v in side.objects.items() if k not in PERSONAL_KINDS | {"template"}}
    colleague.objects = {**shared, "patient": patient}
    program = ProgramFactory(patient=patient)
    colleague.objects["program"] = program
    colleague.objects["item"] = ExerciseItemFactory(program=program, exercise=shared["exercise"])
    colleague.objects["ladder_item"] = LadderItemFactory(program=program, ladder=shared["ladder"])
    today = patient.local_today()
    colleague.objects["precaution"] = HipPrecaution.objects.create(
        patient=patient, kind="posterior", starts_on=today, ends_on=today + dt.timedelta(weeks=6)
    )
    _logs(colleague)
    _optional(colleague)
    return colleague
