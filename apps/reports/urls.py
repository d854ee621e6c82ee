"""Routes of the reports app: the therapist dashboard and patient progress, the clinic admin's
adherence reports and exports, and the audit log.

The audit log's routes keep their ``audit:`` names: config/urls.py includes
``audit_urlpatterns`` under that namespace (the page moved here from the audit app, which sits
below patients and so cannot list them)."""

from django.urls import URLPattern, URLResolver, path

from apps.reports.views import audit as views_audit
from apps.reports.views import dashboard
from apps.reports.views import reports as views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    # Therapist dashboard and patient progress pages.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "patients/<uuid:public_id>/progress/",
        dashboard.patient_progress_page,
        name="patient-progress",
    ),
    # Clinic admin adherence reports and exports.
    # The report; its downloads are posted to it.
    path("reports/adherence/", views.adherence_report, name="adherence"),
    path("reports/jobs/<uuid:public_id>/", views.job_detail, name="job"),
    path("reports/jobs/<uuid:public_id>/progress/", views.job_progress, name="job_progress"),
    path("reports/jobs/<uuid:public_id>/download/", views.job_download, name="job_download"),
]

audit_urlpatterns: list[URLPattern | URLResolver] = [
    path("audit/", views_audit.audit_log, name="log"),
    path("audit/export.csv", views_audit.audit_export, name="export"),
]
