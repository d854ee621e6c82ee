from django.urls import URLPattern, URLResolver, path

from apps.outcomes.views import admin, patient, staff

app_name = "outcomes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("patients/<uuid:public_id>/outcomes/", staff.patient_outcomes, name="patient"),
    path("patients/<uuid:public_id>/outcomes/report/", staff.report_make, name="report-make"),
    path("patients/<uuid:public_id>/outcomes/time/", staff.time_entry_save, name="time-entry"),
    path("programs/<uuid:public_id>/measures/", staff.measures_save, name="measures-save"),
    path("outcomes/reports/<uuid:public_id>.pdf", staff.report_download, name="report-pdf"),
    path("outcomes/instruments/", admin.instruments_page, name="instruments"),
    path("outcomes/instruments/<str:code>/wording/", admin.wording, name="wording"),
    path("outcomes/monitoring/", admin.monitoring, name="monitoring"),
    path("outcomes/monitoring/settings/", admin.monitoring_toggle, name="monitoring-toggle"),
    path("today/questionnaires/<uuid:public_id>/", patient.questionnaire, name="questionnaire"),
]
