"""Moving along a ladder: the history of level changes and the progression prompts raised
when a patient meets a level's threshold."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.patients.models import Patient
from apps.programs.models.patient_logs import MorningCheck
from apps.programs.models.programs import ProgramItem

if TYPE_CHECKING:
    from apps.clinics.models import User


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
    # whenever it is evaluated, holds the prompt back (see prompt_holds.prompt_holds_refresh).
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
    # Held back: the sets that met the rule were corrected below it or deleted (within the
    # 24 hours a patient may change a set) and no other set of the stay meets it, in plain
    # words ("The set that met the goal on Tue 10 Mar was corrected to 12 reps"). Cleared,
    # and the prompt re-based on the new days, when the rule is met again
    # (prompt_holds.prompt_rule_refresh). On an automatic advance that had already started,
    # it tells the therapist, who decides: the level is left as it is.
    rule_lapsed = models.CharField(max_length=200, blank=True)
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
        return (
            self.held_back_pain is not None
            or self.held_back_check_id is not None
            # An automatic advance already started stays: the therapist is told, not held.
            or (bool(self.rule_lapsed) and self.status != PromptStatus.AUTO_APPROVED)
        )
