"""Every REST endpoint lives under /api/v1/; each app contributes its own api_urls."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.exercises.api_urls")),
    path("", include("apps.patients.api_urls")),
    path("", include("apps.programs.api_urls")),
    path("", include("apps.notifications.api_urls")),
    path("", include("apps.reports.api_urls")),
    path("", include("apps.clinics.api_urls")),
    path("", include("apps.outcomes.api_urls")),
    path("", include("apps.media.api_urls")),
]
