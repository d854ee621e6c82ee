from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's own pages and ``/api/v1/me/`` API: sign-in by link, Today, History, offline."""

    name = "apps.portal"
    default_auto_field = "django.db.models.BigAutoField"
