from typing import Any

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "apps.programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.patients.signals import precautions_changed

        precautions_changed.connect(
            _precautions_changed, dispatch_uid="programs.daily_totals.precautions"
        )


def _precautions_changed(sender: Any, *, patient: Any, **kwargs: Any) -> None:
    """Hip precautions hold exercises back, which changes what each day prescribes."""
    from apps.programs.daily_totals import daily_totals_refresh_patient

    daily_totals_refresh_patient(patient_id=patient.pk)
