"""What happened from a prompt's first qualifying sets on (``counted_from``: the first of the
days a rule over N days counted) that a therapist must see before deciding: pain above the
clinic's hold-back level, pain at its alert level, the patient's notes and the next-morning
answers (CLINICAL.md, pain-monitoring model).

Two queries whatever the number of prompts; prompts need ``patient__clinic`` loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q

from apps.programs.models import MorningCheck, ProgressionPrompt, SetLog


@dataclass
class PromptConcerns:
    painful: list[SetLog] = field(default_factory=list)
    notes: list[SetLog] = field(default_factory=list)
    mornings: list[MorningCheck] = field(default_factory=list)
    held_back: bool = False

    @property
    def worse_mornings(self) -> list[MorningCheck]:
        return [check for check in self.mornings if check.is_worse]

    @property
    def needs_override(self) -> bool:
        """Approving needs "approve anyway" with a reason."""
        return self.held_back or bool(self.painful) or bool(self.worse_mornings)

    @property
    def highest_pain(self) -> int | None:
        return max((log.pain for log in self.painful), default=None)


def concerns_for(prompts: list[ProgressionPrompt]) -> dict[int, PromptConcerns]:
    """Each prompt's concerns since the first day its rule counted, keyed by prompt id."""
    found = {p.pk: PromptConcerns(held_back=p.is_held_back) for p in prompts}
    days = [p.counted_from for p in prompts if p.counted_from is not None]
    if not days:
        return found
    patients = {p.patient_id for p in prompts}
    logs = (
        SetLog.objects.filter(patient_id__in=patients, performed_on__gte=min(days))
        .filter(_painful_or_noted())
        .select_related("exercise")
        .order_by("performed_on", "logged_at", "pk")
    )
    checks = MorningCheck.objects.filter(
        patient_id__in=patients, local_date__gt=min(days)
    ).order_by("local_date")
    by_patient_logs: dict[int, list[SetLog]] = defaultdict(list)
    for log in logs:
        by_patient_logs[log.patient_id].append(log)
    by_patient_checks: dict[int, list[MorningCheck]] = defaultdict(list)
    for check in checks:
        by_patient_checks[check.patient_id].append(check)
    for prompt in prompts:
        _fill(found[prompt.pk], prompt, by_patient_logs, by_patient_checks)
    return found


def _painful_or_noted() -> Q:
    limit = Q(pain__gt=F("patient__clinic__pain_progression_limit"))
    alert = Q(pain__gte=F("patient__clinic__pain_alert_level"))
    return limit | alert | ~Q(note="")


def _fill(
    concerns: PromptConcerns,
    prompt: ProgressionPrompt,
    logs: dict[int, list[SetLog]],
    checks: dict[int, list[MorningCheck]],
) -> None:
    day = prompt.counted_from
    if day is None:
        return
    clinic = prompt.patient.clinic
    for log in logs.get(prompt.patient_id, []):
        if log.performed_on < day:
            continue
        if log.pain > clinic.pain_progression_limit or log.pain >= clinic.pain_alert_level:
            concerns.painful.append(log)
        if log.note:
            concerns.notes.append(log)
    concerns.mornings = [c for c in checks.get(prompt.patient_id, []) if c.local_date > day]
