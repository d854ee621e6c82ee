from django.urls import URLPattern, URLResolver, path

from apps.reports.api import jobs as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/jobs/", api.ReportJobListCreate.as_view(), name="reports-api-jobs"),
    path("reports/jobs/<uuid:public_id>/", api.ReportJobDetail.as_view(), name="reports-api-job"),
    path(
        "reports/jobs/<uuid:public_id>/file/",
        api.ReportJobFile.as_view(),
        name="reports-api-job-file",
    ),
]
