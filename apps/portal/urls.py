"""Routes of the patient's own pages (sign-in by link, today, logging, history, offline support)
and of the patient's own API under /api/v1/me/ (kept here so this area owns all its routes).

They keep the names they had in the ``patients`` namespace: config/urls.py includes them there."""

from django.urls import URLPattern, URLResolver, path

from apps.portal.api import me as api_me
from apps.portal.api import morning as api_morning
from apps.portal.api import reminders as api_reminders
from apps.portal.views import history as views_history
from apps.portal.views import media as views_media
from apps.portal.views import morning as views_morning
from apps.portal.views import offline as views_offline
from apps.portal.views import reminders as views_reminders
from apps.portal.views import signin as views_signin
from apps.portal.views import today as views_today

urlpatterns: list[URLPattern | URLResolver] = [
    path("p/<uuid:public_id>/<str:token>/", views_signin.personal_link, name="link"),
    path("sign-in/link/", views_signin.one_time_link_request, name="one-time-request"),
    path("sign-in/link/<str:token>/", views_signin.one_time_link, name="one-time"),
    path("today/", views_today.today, name="today"),
    path("today/log/", views_today.log_set, name="log-set"),
    path("today/morning/", views_morning.morning_check, name="morning-check"),
    # Changing and deleting a set are both posted to the set's page.
    path("today/logs/<uuid:public_id>/", views_today.log_edit, name="log-edit"),
    path("today/media/<uuid:public_id>/<str:name>", views_media.media_file, name="media"),
    path("history/", views_history.history, name="history"),
    path("reminders/", views_reminders.reminders, name="reminders"),
    path("offline/", views_offline.offline, name="offline"),
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("sw.js", views_offline.service_worker, name="service-worker"),
    path("api/v1/me/today/", api_me.today, name="api-me-today"),
    path("api/v1/me/logs/", api_me.logs, name="api-me-logs"),
    path("api/v1/me/logs/batch/", api_me.logs_batch, name="api-me-logs-batch"),
    path("api/v1/me/logs/<uuid:public_id>/", api_me.log_detail, name="api-me-log"),
    path("api/v1/me/morning-check/", api_morning.morning_check_api, name="api-me-morning-check"),
    path("api/v1/me/reminders/", api_reminders.reminders, name="api-me-reminders"),
]
