"""Routes of the patient data export and erasure pages (in the ``patients`` namespace)."""

from django.urls import path

from apps.patients import privacy_views

urlpatterns = [
    path(
        "patients/<uuid:public_id>/privacy/export/",
        privacy_views.patient_export,
        name="privacy-export",
    ),
    path(
        "patients/<uuid:public_id>/privacy/erase/",
        privacy_views.patient_erase_view,
        name="privacy-erase",
    ),
]
