from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.outcomes.panels import patient_actions
        from apps.patients.panels import patient_panel_register

        patient_panel_register("outcomes", patient_actions)
