from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "apps.exercises"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.exercises import checks  # noqa: F401  (registers the poses-file check)
