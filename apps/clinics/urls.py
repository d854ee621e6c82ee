from django.urls import path

from apps.clinics.views import account as views
from apps.clinics.views import settings as settings_views
from apps.clinics.views import staff as staff_views
from apps.clinics.views import tokens as token_views

app_name = "clinics"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/verify/", views.verify_two_factor, name="verify"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/two-factor/", views.two_factor_setup, name="two-factor"),
    path("clinic/settings/", settings_views.clinic_settings, name="settings"),
    # Deactivating, reactivating and resetting two-factor are posted to the page itself.
    path("clinic/staff/", staff_views.staff_list, name="staff"),
    path("clinic/staff/<uuid:public_id>/resend/", staff_views.staff_resend, name="staff-resend"),
    path("clinic/staff/<uuid:public_id>/cancel/", staff_views.staff_cancel, name="staff-cancel"),
    path(
        "account/set-password/<uidb64>/<token>/",
        views.StaffSetPasswordView.as_view(),
        name="set-password",
    ),
    # The API token page.
    path("clinic/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path(
        "clinic/api-tokens/<uuid:public_id>/created/",
        token_views.api_token_created,
        name="api-token-created",
    ),
    path(
        "clinic/api-tokens/<uuid:public_id>/revoke/",
        token_views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
