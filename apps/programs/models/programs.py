"""Programs and their items: what a therapist prescribes, and when.

A *template* is a clinic program with no patient. Assigning a template copies it into a
program of the patient's own, so editing a template never changes a patient's prescription.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.once import client_request_field
from apps.exercises.models import Exercise, Ladder
from apps.patients.models import Patient

if TYPE_CHECKING:
    from apps.clinics.models import User

# Weekdays as a bitmask, Monday = bit 0 (matching date.weekday()).
ALL_WEEKDAYS = 0b1111111


class ProgramQuerySet(models.QuerySet["Program"]):
    def visible_to(self, user: User) -> ProgramQuerySet:
        if not user.is_authenticated or user.clinic_id is None:
            return self.none()
        if user.is_clinic_staff:
            return self.filter(clinic_id=user.clinic_id)
        if user.is_patient:
            return self.filter(patient__user_id=user.pk, is_template=False)
        return self.none()

    def editable_by(self, user: User) -> ProgramQuerySet:
        """Programs this user may change: the clinic's templates, and the programs of the
        patients the user may edit (``Patient.objects.editable_by``)."""
        if not user.is_authenticated or not user.is_clinic_staff:
            return self.none()
        editable = Patient.objects.editable_by(user).values("pk")
        return self.filter(clinic_id=user.clinic_id).filter(
            Q(is_template=True) | Q(patient_id__in=editable)
        )

    def templates(self) -> ProgramQuerySet:
        return self.filter(is_template=True)

    def assigned(self) -> ProgramQuerySet:
        return self.filter(is_template=False)


class Program(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="programs")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="programs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programs_created"
    )
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    is_template = models.BooleanField(default=False)
    # Schedule (ignored on templates).
    weekdays = models.PositiveSmallIntegerField(default=ALL_WEEKDAYS)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # The patient's local time to be reminded on the program's days (DESIGN.md: part of the
    # assignment's schedule). Empty: the patient's own time, else the clinic's default.
    reminder_time = models.TimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The one-time key of the form or API request that made it (apps.core.once): sent again
    # (a double click on Assign, a retry) it finds this program instead of making a second.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    client_request = client_request_field()  # what it asked for (apps.core.once)
    # A patient's own draft is started by Assign, which makes no row: the key of that request
    # is kept here (its client_id is the one that made the draft), so that Assign sent again
    # answers with the program started instead of "already assigned".
    assign_client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    assign_request = client_request_field()  # what the Assign asked for (apps.core.once)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(is_template=True, patient__isnull=True)
                | Q(is_template=False, patient__isnull=False, start_date__isnull=False),
                name="program_template_or_assigned",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="program_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1) & Q(weekdays__lte=ALL_WEEKDAYS),
                name="program_weekdays_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_scheduled_on(self, day: date) -> bool:
        if self.is_template or not self.is_active or self.start_date is None:
            return False
        if day < self.start_date or (self.end_date is not None and day > self.end_date):
            return False
        return bool(self.weekdays & (1 << day.weekday()))

    @property
    def patient_archived(self) -> bool:
        """A program of an archived (discharged) patient: shown read-only, every change to it
        refused until they are restored (``apps.programs.locks``)."""
        return self.patient is not None and self.patient.archived_at is not None

    @property
    def weekday_numbers(self) -> list[int]:
        """The scheduled weekdays as ``date.weekday()`` numbers (Monday = 0)."""
        return [day for day in range(7) if self.weekdays & (1 << day)]


class ProgramItemQuerySet(models.QuerySet["ProgramItem"]):
    def current(self, *, on: date) -> ProgramItemQuerySet:
        """Rows still in force on ``on`` or later (not ended before it): the program as the
        therapist edits it. Rows starting later are included."""
        return self.filter(Q(active_until__isnull=True) | Q(active_until__gte=on))

    def in_force(self, *, on: date) -> ProgramItemQuerySet:
        """Rows prescribing on ``on``: begun by then and not ended before it (what the
        patient is given that day, one row per track)."""
        begun = Q(active_from__isnull=True) | Q(active_from__lte=on)
        return self.current(on=on).filter(begun)

    def for_editing(self, *, on: date) -> ProgramItemQuerySet:
        """The program as the therapist edits it from ``on``: one row per track, the one that
        goes on. A level change that brings its exercise's usual dose ends the row on ``on``
        and continues the track from the next day; the ending row is history by then, and
        editing it would start a second row of the track beside the one already waiting."""
        later = self.model.objects.filter(
            program_id=OuterRef("program_id"), track=OuterRef("track"), active_from__gt=on
        )
        return self.current(on=on).exclude(Q(active_until__isnull=False) & Exists(later))


class ProgramItem(models.Model):
    """One line of a program: a single exercise at a dose, or a ladder at its current level."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    # Editing a dose never rewrites history: the edited row ends (active_until) and a new row
    # of the same ``track`` starts (active_from), carrying the ladder level over. Logs point at
    # the row they were done against; prompts are per track, so an edit never re-prompts.
    track = models.UUIDField(default=uuid.uuid4, db_index=True)
    active_from = models.DateField(null=True, blank=True, help_text="Patient-local; None: always")
    active_until = models.DateField(null=True, blank=True, help_text="Patient-local; inclusive")
    position = models.PositiveSmallIntegerField(default=0)
    exercise = models.ForeignKey(
        Exercise, on_delete=models.PROTECT, null=True, blank=True, related_name="program_items"
    )
    ladder = models.ForeignKey(
        Ladder, on_delete=models.PROTECT, null=True, blank=True, related_name="program_items"
    )
    # Ladder level in force: ``current_level`` from ``level_since`` (a patient-local date),
    # ``previous_level`` before it. Approval sets level_since to the patient's next day.
    current_level = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_level = models.PositiveSmallIntegerField(null=True, blank=True)
    level_since = models.DateField(null=True, blank=True)
    auto_advance = models.BooleanField(default=False)
    # The dose (apps.programs.doses says it in words). Three kinds:
    # - a fixed number: ``reps`` or ``hold_seconds``;
    # - a range rising toward its top: ``reps``..``reps_up_to`` or
    #   ``hold_seconds``..``hold_up_to`` (the patient starts from their best recent count);
    # - to fatigue: ``to_fatigue`` with neither reps nor hold; ``reps_up_to`` is the "up to N"
    #   (empty: no cap) and ``rep_hold_seconds`` the hold or pause in each rep.
    sets = models.PositiveSmallIntegerField(default=2)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    reps_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_up_to = models.PositiveSmallIntegerField(null=True, blank=True)
    to_fatigue = models.BooleanField(default=False)
    rep_hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=True)
    rest_seconds = models.PositiveSmallIntegerField(default=60)
    notes = models.TextField(blank=True)
    # The therapist's reason for prescribing an exercise that conflicts with the patient's hip
    # precautions (apps.programs.precautions); empty when there was nothing to override.
    precaution_override = models.CharField(max_length=300, blank=True)
    # The conflicts that reason was given for (``precautions.cover_key``): precautions set
    # after it conflict afresh and hold the exercise back until a reason is given for them.
    precaution_override_covers = models.JSONField(default=list, blank=True)
    # The one-time key of the Add form or API request that added it (apps.core.once): sent
    # again (a double click, a retry) it finds this row instead of adding the exercise twice.
    # Only the added row has it: the rows a dose or level change starts carry none.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = ProgramItemQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["program", "position", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(exercise__isnull=False, ladder__isnull=True)
                | Q(exercise__isnull=True, ladder__isnull=False, current_level__gte=1),
                name="item_exercise_xor_ladder",
            ),
            models.CheckConstraint(
                condition=Q(to_fatigue=False, reps__isnull=False, hold_seconds__isnull=True)
                | Q(to_fatigue=False, reps__isnull=True, hold_seconds__isnull=False)
                | Q(to_fatigue=True, reps__isnull=True, hold_seconds__isnull=True),
                name="item_reps_xor_hold_or_fatigue",
            ),
            models.CheckConstraint(
                condition=Q(reps_up_to__isnull=True)
                | Q(to_fatigue=True, reps_up_to__gte=1, reps_up_to__lte=200)
                | Q(reps__isnull=False, reps_up_to__gt=models.F("reps"), reps_up_to__lte=200),
                name="item_reps_range_rises",
            ),
            models.CheckConstraint(
                condition=Q(hold_up_to__isnull=True)
                | Q(
                    hold_seconds__isnull=False,
                    hold_up_to__gt=models.F("hold_seconds"),
                    hold_up_to__lte=600,
                ),
                name="item_hold_range_rises",
            ),
            models.CheckConstraint(
                condition=Q(rep_hold_seconds__isnull=True)
                | Q(rep_hold_seconds__gte=1, rep_hold_seconds__lte=60),
                name="item_rep_hold_1_60",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1) & Q(sets__lte=20), name="item_sets_1_20"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=200),
                name="item_reps_1_200",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: item {self.position}"

    def is_active_on(self, day: date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )

    def level_on(self, day: date) -> int | None:
        """The ladder level prescribed on a patient-local day (None for single exercises)."""
        if self.ladder_id is None:
            return None
        if self.level_since is not None and day < self.level_since and self.previous_level:
            return self.previous_level
        return self.current_level
