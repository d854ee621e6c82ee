from django.urls import include, path

from apps.patients import patient_urls, views, views_signin

app_name = "patients"

urlpatterns = [
    # Patient sign-in.
    path("p/<uuid:public_id>/<str:token>/", views_signin.personal_link, name="link"),
    path("sign-in/link/", views_signin.one_time_link_request, name="one-time-request"),
    path("sign-in/link/<str:token>/", views_signin.one_time_link, name="one-time"),
    # Staff pages about patients.
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_create, name="create"),
    path("patients/<uuid:public_id>/", views.patient_detail, name="detail"),
    path("", include("apps.patients.privacy_urls")),  # data export and erasure (admins)
    path("patients/<uuid:public_id>/edit/", views.patient_edit, name="edit"),
    path("patients/<uuid:public_id>/link/email/", views.patient_link_email, name="link-email"),
    path("patients/<uuid:public_id>/link/renew/", views.patient_link_renew, name="link-renew"),
    path("patients/<uuid:public_id>/link/revoke/", views.patient_link_revoke, name="link-revoke"),
    path("patients/<uuid:public_id>/handout.pdf", views.patient_handout, name="handout"),
    # The patient's own pages.
    *patient_urls.urlpatterns,
]
