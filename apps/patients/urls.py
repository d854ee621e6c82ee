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
    path("patients/<uuid:public_id>/", views.patient_detail, name="detail"),
    path("", include("apps.patients.privacy_urls")),  # data export and erasure (admins)
    # The patient's own pages.
    *patient_urls.urlpatterns,
]
