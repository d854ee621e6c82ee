from django.urls import URLPattern, URLResolver, path

from apps.patients.api import patients as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("patients/", api.PatientListApi.as_view(), name="api-patient-list"),
    path("patients/create/", api.PatientCreateApi.as_view(), name="api-patient-create"),
    path("patients/<uuid:public_id>/", api.PatientDetailApi.as_view(), name="api-patient"),
    path(
        "patients/<uuid:public_id>/update/",
        api.PatientUpdateApi.as_view(),
        name="api-patient-update",
    ),
]
