from typing import Any

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "apps.programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.exercises.signals import hip_movements_changed
        from apps.patients.signals import patient_archived, precautions_changed

        precautions_changed.connect(
            _precautions_changed, dispatch_uid="programs.daily_totals.precautions"
        )
        hip_movements_changed.connect(
            _hip_movements_changed, dispatch_uid="programs.daily_totals.hip_movements"
        )
        patient_archived.connect(_patient_archived, dispatch_uid="programs.prompts.archived")


def _precautions_changed(sender: Any, *, patient: Any, **kwargs: Any) -> None:
    """Hip precautions hold exercises back, which changes what each day prescribes."""
    from apps.programs.daily_totals import daily_totals_refresh_patient

    daily_totals_refresh_patient(patient_id=patient.pk)


def _hip_movements_changed(sender: Any, *, exercise_ids: Any, **kwargs: Any) -> None:
    """An exercise's hip movements decide whether precautions hold it back on each day."""
    from apps.programs.daily_totals import daily_totals_refresh_exercises

    daily_totals_refresh_exercises(exercise_ids=exercise_ids)


def _patient_archived(
    sender: Any, *, patient: Any, actor: Any, request: Any, **kwargs: Any
) -> None:
    """Nobody is left to advance: the service closes the patient's open prompts, in the
    archive's transaction (the patients app sits below this one and cannot call it)."""
    from apps.programs.prompt_decisions import CLOSED_ARCHIVED, prompts_withdraw

    prompts_withdraw(patient_id=patient.pk, reason=CLOSED_ARCHIVED, actor=actor, request=request)
