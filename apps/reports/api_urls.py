from django.urls import URLPattern, URLResolver, path

from apps.reports.api import jobs as api
from apps.reports.api import progress

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/jobs/", api.ReportJobListCreate.as_view(), name="reports-api-jobs"),
    path("reports/jobs/<uuid:public_id>/", api.ReportJobDetail.as_view(), name="reports-api-job"),
    path(
        "reports/jobs/<uuid:public_id>/file/",
        api.ReportJobFile.as_view(),
        name="reports-api-job-file",
    ),
    path(
        "patients/<uuid:public_id>/logs/",
        progress.patient_logs_list,
        name="reports-api-patient-logs",
    ),
    path(
        "patients/<uuid:public_id>/adherence/",
        progress.patient_adherence,
        name="reports-api-patient-adherence",
    ),
]
