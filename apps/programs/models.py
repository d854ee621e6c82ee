"""Prescriptions: programs and their items, schedules, ladder levels and progression prompts.

A *template* is a clinic program with no patient. Assigning a template copies it into a
program of the patient's own, so editing a template never changes a patient's prescription,
and set logs copy the prescription they were done against.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.exercises.models import Exercise, Ladder
from apps.patients.models import Patient, Side

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


class LevelChange(models.Model):
    """History of ladder level changes, for the patient's note and the therapist's charts."""

    item = models.ForeignKey(ProgramItem, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    effective_on = models.DateField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # The prompt this change answered (approval or automatic advance); None for a change a
    # therapist made by hand, or for a step back after a held-back automatic advance.
    prompt = models.ForeignKey(
        "ProgressionPrompt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="level_changes",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-effective_on", "-created_at"]


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


class PromptStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the therapist"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    SNOOZED = "snoozed", "Snoozed"
    AUTO_APPROVED = "auto_approved", "Advanced automatically"
    COMPLETE = "complete", "Ladder complete"
    # Closed by the app, not decided: the exercise was removed, its program ended or the
    # patient was archived, so there is no level left to raise (``decision_reason`` says which).
    WITHDRAWN = "withdrawn", "Closed: no longer in the program"


class ProgressionPromptQuerySet(models.QuerySet["ProgressionPrompt"]):
    def visible_to(self, user: User) -> ProgressionPromptQuerySet:
        if not user.is_authenticated or not user.is_clinic_staff:
            return self.none()
        return self.filter(patient__clinic_id=user.clinic_id)


# The stay at a level that began with the item itself (no level change led into it).
FIRST_STAY = date(1, 1, 1)


class ProgressionPrompt(models.Model):
    """Raised when a patient meets a ladder level's threshold; one per patient, track, level
    and stay at that level (``level_entered_on``): a patient stepped back to a level after a
    flare-up raises a new prompt when they meet its rule again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prompts")
    item = models.ForeignKey(ProgramItem, on_delete=models.CASCADE, related_name="prompts")
    track = models.UUIDField(help_text="The item's track: stable across dose edits.")
    level = models.PositiveSmallIntegerField()
    # The first day of this stay at ``level``: the ``effective_on`` of the level change that
    # led into it, or ``FIRST_STAY`` when the item started at it. Only this stay's sets count.
    level_entered_on = models.DateField(default=FIRST_STAY)
    next_level = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None: top.")
    triggered_by = models.ForeignKey(
        "programs.SetLog", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=PromptStatus.choices, default=PromptStatus.PENDING
    )
    decision_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    # The patient-local day the rule was met: pain logged that day (or from ``counted_from``),
    # whenever it is evaluated, holds the prompt back (see progression.prompt_holds_refresh).
    qualified_on = models.DateField(null=True, blank=True)
    # The first of the days a rule over N separate days counted (``qualified_on`` for one
    # day): pain or a "worse" morning from then to ``qualified_on`` holds the prompt back.
    counted_from = models.DateField(null=True, blank=True)
    # Which advance rule was met and on which days, as the therapist reads it.
    rule_met = models.CharField(max_length=200, blank=True)
    # Held back: the highest pain above the clinic's hold-back level logged from
    # ``counted_from`` to ``qualified_on`` (and the set that logged it), or None. Stored so the
    # inbox and the email show it; recomputed from those days' logs, so the order of
    # evaluation never matters.
    held_back_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    held_back_log = models.ForeignKey(
        "programs.SetLog", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Held back by a "worse" next-morning answer given while the prompt was open (or on the
    # morning of its qualifying day).
    held_back_check = models.ForeignKey(
        MorningCheck, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "Approve anyway": the therapist's reason for approving despite the pain concerns
    # shown at decision time (empty when there were none).
    override_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgressionPromptQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["patient", "track", "level", "level_entered_on"],
                name="one_prompt_per_stay_at_a_level",
            ),
            models.CheckConstraint(
                condition=Q(held_back_pain__isnull=True) | Q(held_back_pain__lte=10),
                name="prompt_held_back_pain_0_10",
            ),
            models.CheckConstraint(
                condition=Q(counted_from__isnull=True, qualified_on__isnull=True)
                | Q(counted_from__lte=F("qualified_on")),
                name="prompt_counted_from_not_after_qualified_on",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The dashboard and the inbox ask for the few open prompts among the many decided
            # ones: without it each dashboard scans every prompt (bench/README.md).
            models.Index(
                fields=["patient"],
                condition=Q(status__in=["pending", "snoozed"]),
                name="open_prompts_by_patient",
            ),
            # The inbox's recent decisions of a therapist's patients, newest first: without it
            # the planner scanned every decided prompt once per patient (358 ms for 25
            # patients among 81,000 prompts in the load test; 48 ms with it).
            models.Index(
                "patient",
                models.F("created_at").desc(),
                condition=~Q(status__in=["pending", "snoozed"]),
                name="decided_prompts_by_patient",
            ),
        ]

    @property
    def is_held_back(self) -> bool:
        return self.held_back_pain is not None or self.held_back_check_id is not None


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
