from django.urls import URLPattern, URLResolver, path

from apps.patients.views import handover as handover_views
from apps.patients.views import patients as views
from apps.patients.views import precautions as precaution_views
from apps.patients.views import privacy as privacy_views

app_name = "patients"

urlpatterns: list[URLPattern | URLResolver] = [
    # Staff pages about patients.
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_create, name="create"),
    # The page; its forms that can be refused (link email and renewal, restore, hip
    # precautions set and ended) are posted to it.
    path("patients/<uuid:public_id>/", views.patient_detail, name="detail"),
    # Data export and erasure (admins).
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
    path("patients/<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path(
        "patients/<uuid:public_id>/precautions/<uuid:precaution_id>/edit/",
        precaution_views.precaution_edit,
        name="precaution-edit",
    ),
    path("patients/<uuid:public_id>/link/revoke/", views.patient_link_revoke, name="link-revoke"),
    path("patients/<uuid:public_id>/archive/", views.patient_archive, name="archive"),
    # A clinic admin hands all of a colleague's (public_id's) active patients to another.
    path(
        "patients/hand-over/<uuid:public_id>/",
        handover_views.patients_hand_over_view,
        name="hand-over",
    ),
]
