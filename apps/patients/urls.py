from django.urls import URLPattern, URLResolver, include, path

from apps.patients import views

app_name = "patients"

urlpatterns: list[URLPattern | URLResolver] = [
    # Staff pages about patients.
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_create, name="create"),
    path("patients/<uuid:public_id>/", views.patient_detail, name="detail"),
    path("", include("apps.patients.privacy_urls")),  # data export and erasure (admins)
    path("patients/<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path("patients/<uuid:public_id>/link/email/", views.patient_link_email, name="link-email"),
    path("patients/<uuid:public_id>/link/renew/", views.patient_link_renew, name="link-renew"),
    path("patients/<uuid:public_id>/link/revoke/", views.patient_link_revoke, name="link-revoke"),
]
