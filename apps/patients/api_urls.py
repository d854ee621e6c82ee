from django.urls import URLPattern, URLResolver, path

from apps.patients.api import patients as api
from apps.patients.api import precautions as precaution_api

PRECAUTION = "patients/<uuid:public_id>/precautions/<uuid:precaution_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("patients/", api.PatientListApi.as_view(), name="api-patient-list"),
    path("patients/create/", api.PatientCreateApi.as_view(), name="api-patient-create"),
    path("patients/<uuid:public_id>/", api.PatientDetailApi.as_view(), name="api-patient"),
    path(
        "patients/<uuid:public_id>/update/",
        api.PatientUpdateApi.as_view(),
        name="api-patient-update",
    ),
    path(
        "patients/<uuid:public_id>/archive/",
        api.PatientArchiveApi.as_view(),
        name="api-patient-archive",
    ),
    path(
        "patients/<uuid:public_id>/restore/",
        api.PatientRestoreApi.as_view(),
        name="api-patient-restore",
    ),
    path(
        "patients/<uuid:public_id>/precautions/",
        precaution_api.PrecautionListApi.as_view(),
        name="api-patient-precautions",
    ),
    path(
        "patients/<uuid:public_id>/precautions/create/",
        precaution_api.PrecautionCreateApi.as_view(),
        name="api-patient-precaution-create",
    ),
    path(
        f"{PRECAUTION}/update/",
        precaution_api.PrecautionUpdateApi.as_view(),
        name="api-patient-precaution-update",
    ),
    path(
        f"{PRECAUTION}/end/",
        precaution_api.PrecautionEndApi.as_view(),
        name="api-patient-precaution-end",
    ),
]
