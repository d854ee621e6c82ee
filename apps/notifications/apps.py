from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Programs (a layer below) records set logs; it hands committed ones to us through
        # this connection instead of importing notifications.
        from apps.notifications import dispatch
        from apps.programs import dispatch as set_logs

        # Looked up at each call, so a test that patches the dispatcher patches this path too.
        set_logs.connect(
            one=lambda log_id: dispatch.enqueue_log_evaluation(log_id),
            many=lambda log_ids: dispatch.enqueue_logs_evaluation(log_ids),
        )
