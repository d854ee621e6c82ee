"""What the patient logs: each set beside the prescription it was done against, the
next-morning check, and the daily totals kept from the sets."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.patients.models import Patient, Side
from apps.programs.models.programs import ProgramItem

if TYPE_CHECKING:
    from apps.clinics.models import User


class Compared(models.TextChoices):
    """The next-morning answer, compared with before the previous day's exercises."""

    BETTER = "better", "Better"
    SAME = "same", "About the same"
    WORSE = "worse", "Worse"


class MorningCheck(models.Model):
    """The pain-monitoring model's 24-hour check (CLINICAL.md): on the morning after an
    exercise day, how the hip (pain) and its stiffness are compared with before it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="morning_checks")
    local_date = models.DateField(help_text="The patient-local morning of the answer.")
    exercise_day = models.DateField(help_text="The exercise day the answer is about.")
    hip = models.CharField(max_length=8, choices=Compared.choices)
    stiffness = models.CharField(max_length=8, choices=Compared.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-local_date"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="one_morning_check_per_patient_day"
            ),
            models.CheckConstraint(
                condition=Q(exercise_day__lt=models.F("local_date")),
                name="morning_check_after_exercise_day",
            ),
        ]

    @property
    def is_worse(self) -> bool:
        return Compared.WORSE in (self.hip, self.stiffness)


class SetLogQuerySet(models.QuerySet["SetLog"]):
    def visible_to(self, user: User) -> SetLogQuerySet:
        return self.filter(patient__in=Patient.objects.visible_to(user))


class SetLog(models.Model):
    """One set a patient did, beside what was prescribed for it at the time.

    The prescription columns are copied from the item when the set is logged, so editing a
    program later never rewrites history. ``client_id`` is generated on the phone; the unique
    constraint makes retries and double taps save once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_id = models.UUIDField(unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="set_logs")
    item = models.ForeignKey(ProgramItem, on_delete=models.PROTECT, related_name="set_logs")
    performed_on = models.DateField(help_text="The patient's local date of the set.")
    logged_at = models.DateTimeField(default=timezone.now)
    set_number = models.PositiveSmallIntegerField(default=1)
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.BOTH)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField()
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # What was prescribed when the set was logged.
    exercise = models.ForeignKey(
        "exercises.Exercise", on_delete=models.PROTECT, related_name="set_logs"
    )
    ladder_level = models.PositiveSmallIntegerField(null=True, blank=True)
    target_sets = models.PositiveSmallIntegerField()
    target_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    target_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    # The top of a range (10 to 20 reps, a 20- to 30-second hold), or the "up to N" of reps
    # to fatigue: without it, a set of 15 in a 10-to-20 range would read as more than asked.
    target_reps_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    target_hold_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    target_per_side = models.BooleanField(default=False)
    # Outbox marker: set once follow-up work (progression, pain alert) has been evaluated.
    evaluated_at = models.DateTimeField(null=True, blank=True)
    # When the patient last changed the set's pain (a pain alert raised before shows it).
    pain_corrected_at = models.DateTimeField(null=True, blank=True)

    objects = SetLogQuerySet.as_manager()

    class Meta:
        # Set logs moved here from the patients app; the table kept its name (no data moved).
        db_table = "patients_setlog"
        ordering: ClassVar[list[str]] = ["performed_on", "logged_at"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["patient", "performed_on"]),
            models.Index(fields=["item", "performed_on"]),
            models.Index(
                fields=["logged_at"], name="setlog_unevaluated", condition=Q(evaluated_at=None)
            ),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=Q(pain__lte=10), name="setlog_pain_0_10"),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__lte=200), name="setlog_reps_0_200"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False),
                name="setlog_has_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=5),
                name="setlog_difficulty_1_5",
            ),
        ]


class DailyTotal(models.Model):
    """One patient's totals for one local day on which they logged at least one set.

    Written by the services in the same transaction as every change that can alter them
    (``apps.programs.daily_totals``); ``manage.py rebuild_daily_totals`` recomputes any
    range. Days with nothing logged have no row: what they prescribe comes from the few
    program item rows (``adherence.patient_schedules``), which stays right as days pass
    without a job writing tomorrow's rows. ``prescribed`` and ``completed`` are units (one a
    set, one per side and set for a per-side item) under the rule in ``adherence``.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="daily_totals")
    day = models.DateField()
    prescribed = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()
    logs = models.PositiveIntegerField(help_text="Sets logged that day, extra sets included.")
    pain_sum = models.PositiveIntegerField()
    pain_max = models.PositiveSmallIntegerField()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["patient", "day"], name="dailytotal_patient_day"),
            models.CheckConstraint(condition=Q(logs__gt=0), name="dailytotal_has_logs"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.day}"

    @property
    def complete(self) -> bool:
        return self.completed >= self.prescribed > 0
