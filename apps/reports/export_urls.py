"""Clinic admin adherence reports and exports."""

from django.urls import URLPattern, URLResolver, path

from apps.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/adherence/", views.adherence_report, name="adherence"),
    path("reports/adherence/export/", views.adherence_export, name="adherence_export"),
    path("reports/jobs/<uuid:public_id>/", views.job_detail, name="job"),
    path("reports/jobs/<uuid:public_id>/progress/", views.job_progress, name="job_progress"),
    path("reports/jobs/<uuid:public_id>/download/", views.job_download, name="job_download"),
]
