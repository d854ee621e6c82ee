from django.urls import path

from apps.clinics import settings_views, token_urls, views

app_name = "clinics"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/verify/", views.verify_two_factor, name="verify"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor"),
    path("clinic/settings/", settings_views.clinic_settings, name="settings"),
    *token_urls.urlpatterns,
]
