from typing import Any

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.programs.signals import set_log_deleting

        set_log_deleting.connect(_set_log_deleting, dispatch_uid="notifications.alert_set_deleted")


def _set_log_deleting(sender: Any, *, log_id: int, at: Any, **kwargs: Any) -> None:
    """A pain alert keeps saying what it was about once the patient deletes its set: the
    service records the deletion in the deletion's transaction (the programs app sits below
    this one and cannot call it)."""
    from apps.notifications.services import pain_alert_set_deleted

    pain_alert_set_deleted(log_id=log_id, at=at)
