"""Outcome measures: what is scheduled per program, each questionnaire and its answers, a
clinic's licensed wording, progress reports, and the remote-monitoring time log.

Every table that holds patient data has a ``visible_to(user)`` queryset built on
``Patient.objects.visible_to``, so another clinic's row is never found (a 404)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.once import client_request_field
from apps.outcomes.instruments import INSTRUMENTS, Code
from apps.patients.models import Patient
from apps.programs.models import Program

if TYPE_CHECKING:
    from apps.clinics.models import User

INSTRUMENT_CHOICES = [(spec.code.value, spec.short) for spec in INSTRUMENTS.values()]
MAX_MINUTES = 600


class _PatientScoped(models.QuerySet[Any]):
    def visible_to(self, user: User) -> Any:
        return self.filter(patient__in=Patient.objects.visible_to(user))


class ClinicWording(models.Model):
    """A clinic's item wording for a licensed instrument (LEFS, HOOS-12), from its own copy.

    ``items`` maps each of the instrument's item keys to its text and ``options`` holds the
    five answer labels (0-4); both are validated against the structure before saving."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="wordings")
    instrument = models.CharField(max_length=16, choices=INSTRUMENT_CHOICES)
    items = models.JSONField()
    options = models.JSONField()
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["clinic", "instrument"], name="wording_one_per_clinic")
        ]


class MeasurePlanQuerySet(models.QuerySet["MeasurePlan"]):
    def visible_to(self, user: User) -> MeasurePlanQuerySet:
        return self.filter(program__in=Program.objects.visible_to(user))


class MeasurePlan(models.Model):
    """One instrument scheduled for a program: at the start, every ``interval_days`` after
    it, and at the program's end."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="measure_plans")
    instrument = models.CharField(max_length=16, choices=INSTRUMENT_CHOICES)
    interval_days = models.PositiveSmallIntegerField(default=14)
    at_start = models.BooleanField(default=True)
    at_end = models.BooleanField(default=True)
    # Set when the program continues an earlier version of itself (its weekdays changed after
    # it started): the first version's start, so the every-N-days cadence and the PSFS
    # activities go on as before. Null: the program's own start.
    counts_from = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeasurePlanQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["program", "instrument"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["program", "instrument"], name="plan_one_per_program"),
            models.CheckConstraint(
                condition=Q(interval_days__gte=7) & Q(interval_days__lte=91),
                name="plan_interval_7_91",
            ),
        ]


class Status(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"


class QuestionnaireQuerySet(_PatientScoped):
    pass


class Questionnaire(models.Model):
    """One instrument the patient is asked to fill in on ``due_on`` (patient-local).

    Answers are saved per item while it is open, so an interrupted one resumes. Submitting
    stores the scores and the phone's ``submission_id``: a retried submission with the same
    id answers as before, any other second submission is refused (the database allows one).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questionnaires")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questionnaires")
    instrument = models.CharField(max_length=16, choices=INSTRUMENT_CHOICES)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # PSFS: the activities the patient named (at the first one; copied to later ones).
    activities = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_id = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["due_on", "instrument"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["patient", "status", "due_on"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["program", "instrument", "due_on"], name="questionnaire_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(status=Status.OPEN, submitted_at__isnull=True)
                | Q(
                    status=Status.SUBMITTED,
                    submitted_at__isnull=False,
                    submission_id__isnull=False,
                ),
                name="questionnaire_submitted_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} due {self.due_on}"

    @property
    def patient_title(self) -> str:
        """What the patient's pages call this questionnaire (plain words, not initials)."""
        return INSTRUMENTS[Code(self.instrument)].patient_title


class Answer(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="answers"
    )
    item_key = models.CharField(max_length=32)
    value = models.SmallIntegerField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["questionnaire", "item_key"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["questionnaire", "item_key"], name="answer_one_per_item"
            ),
            # The widest range of any instrument (GROC -7..+7, NPRS/PSFS 0..10); the item's own
            # range is checked by the service against the instrument.
            models.CheckConstraint(
                condition=Q(value__gte=-7) & Q(value__lte=10), name="answer_in_some_range"
            ),
        ]


class ProgressReportQuerySet(_PatientScoped):
    pass


class ProgressReport(models.Model):
    """A progress report for the referrer, frozen when the therapist made it: the PDF and
    the API's JSON both render ``data``, so they always agree."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.TextField(blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the click or API request that made it (apps.core.once): sent
    # again (a double click, a retry) it finds this report instead of freezing another.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]


class MonitoringSettings(models.Model):
    """Whether a clinic uses the remote-monitoring summary (US clinics, optional)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="monitoring")
    enabled = models.BooleanField(default=False)


class TimeEntryQuerySet(_PatientScoped):
    pass


class TimeEntry(models.Model):
    """Minutes a therapist spent managing a patient's remote monitoring on one day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="time_entries")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    activity = models.CharField(max_length=300)
    live_interaction = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The id the form or the integration gave the entry: sent again (a retry, a double
    # click), it finds the first entry instead of logging the minutes twice (they are billed).
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-on", "-created_at"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["patient", "on"])]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_MINUTES),
                name="time_entry_minutes_1_600",
            )
        ]
