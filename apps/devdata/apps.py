from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Demo and scale data (``seed_demo``, ``seed_scale``): the top layer, imported by nothing."""

    name = "apps.devdata"
    default_auto_field = "django.db.models.BigAutoField"
