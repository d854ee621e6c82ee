from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    default_auto_field = "django.db.models.BigAutoField"
