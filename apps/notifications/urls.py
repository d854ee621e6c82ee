from django.urls import path

from apps.notifications.views import inbox as views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/reminders/", views.reminder_list, name="reminders"),
    path("inbox/prompts/<uuid:public_id>/approve/", views.prompt_approve, name="approve"),
    path("inbox/prompts/<uuid:public_id>/decline/", views.prompt_decline, name="decline"),
    path("inbox/prompts/<uuid:public_id>/snooze/", views.prompt_snooze, name="snooze"),
    path("inbox/alerts/<uuid:public_id>/seen/", views.alert_acknowledge, name="alert-seen"),
    path("reminders/stop/<str:token>/", views.reminders_opt_out, name="opt-out"),
]
