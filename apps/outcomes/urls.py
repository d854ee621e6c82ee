from django.urls import URLPattern, URLResolver, path

from apps.outcomes.views import admin, patient, staff

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    # The page; its forms (measures, progress report, time log) are posted to it.
    path("patients/<uuid:public_id>/outcomes/", staff.patient_outcomes, name="patient"),
    path("outcomes/reports/<uuid:public_id>.pdf", staff.report_download, name="report-pdf"),
    path("outcomes/instruments/", admin.instruments_page, name="instruments"),
    path("outcomes/instruments/<str:code>/wording/", admin.wording, name="wording"),
    path("outcomes/monitoring/", admin.monitoring, name="monitoring"),
    path("outcomes/monitoring/settings/", admin.monitoring_toggle, name="monitoring-toggle"),
    path("today/questionnaires/<uuid:public_id>/", patient.questionnaire, name="questionnaire"),
]
