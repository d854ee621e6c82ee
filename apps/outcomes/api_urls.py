from django.urls import URLPattern, URLResolver, path

from apps.outcomes.api import me, staff

Q = "me/questionnaires/<uuid:public_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/<uuid:public_id>/measures/", staff.measures, name="api-outcome-measures"),
    path("patients/<uuid:public_id>/outcomes/", staff.trends, name="api-outcome-trends"),
    path(
        "patients/<uuid:public_id>/progress-reports/",
        staff.report_create,
        name="api-progress-report-create",
    ),
    path("progress-reports/<uuid:public_id>/", staff.report, name="api-progress-report"),
    path("questionnaires/<uuid:public_id>/", staff.questionnaire, name="api-questionnaire"),
    path("patients/<uuid:public_id>/time-entries/", staff.time_entries, name="api-time-entries"),
    path("me/questionnaires/", me.due, name="api-me-questionnaires"),
    path(f"{Q}/", me.detail, name="api-me-questionnaire"),
    path(f"{Q}/answers/", me.answers, name="api-me-questionnaire-answers"),
    path(f"{Q}/submit/", me.submit, name="api-me-questionnaire-submit"),
]
