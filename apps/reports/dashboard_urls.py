"""Therapist dashboard and patient progress pages."""

from django.urls import URLPattern, URLResolver, path

from apps.reports import dashboard

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "patients/<uuid:public_id>/progress/",
        dashboard.patient_progress_page,
        name="patient-progress",
    ),
]
