from django.urls import path

from apps.notifications.api import inbox as api

urlpatterns = [
    path("prompts/", api.PromptList.as_view(), name="api-prompt-list"),
    path("prompts/<uuid:public_id>/approve/", api.prompt_approve, name="api-prompt-approve"),
    path("prompts/<uuid:public_id>/decline/", api.prompt_decline, name="api-prompt-decline"),
    path("prompts/<uuid:public_id>/snooze/", api.prompt_snooze, name="api-prompt-snooze"),
    path("alerts/", api.PainAlertList.as_view(), name="api-alert-list"),
    path("alerts/<uuid:public_id>/seen/", api.pain_alert_acknowledge, name="api-alert-seen"),
    path("reminders/", api.ReminderList.as_view(), name="api-reminder-list"),
]
