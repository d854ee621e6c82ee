from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "apps.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.patients.signals import patient_erased

        patient_erased.connect(_patient_erased, dispatch_uid="reports.files.patient_erased")


def _patient_erased(sender: Any, *, clinic_id: int, **kwargs: Any) -> None:
    """The clinic's report files were made while the erased patient existed: they may name
    them and hold their sets and pain."""
    from apps.reports.services import report_files_forget

    report_files_forget(clinic_id=clinic_id)
