from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core import log_redaction

        # Before the first request is served (and logged), in web and worker processes alike.
        log_redaction.install()
