from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.clinics.views import account as account_views
from apps.patients import urls as patients_urls
from apps.portal import urls as portal_urls
from apps.programs import urls as programs_urls
from apps.reports import urls as reports_urls

# The patient's own pages (portal) and the handout (programs) moved to the apps of their layer
# but keep their names ("patients:today", "patients:handout"): one namespace can be included
# only once, so the apps' routes are joined here, above them all.
patients_namespace = (
    [*patients_urls.urlpatterns, *portal_urls.urlpatterns, *programs_urls.patient_urlpatterns],
    "patients",
)

# A database outage raised by a middleware is a 503, not a 500 (apps/core/unavailable.py).
handler500 = "apps.core.unavailable.handler500"
# In the app's layout, in words (apps/core/error_pages.py).
handler403 = "apps.core.error_pages.permission_denied"
handler404 = "apps.core.error_pages.page_not_found"

urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.clinics.urls")),
    path("", include(patients_namespace)),
    path("", include("apps.exercises.urls")),
    path("", include("apps.programs.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.reports.urls")),
    path("", include((reports_urls.audit_urlpatterns, "audit"))),
    path("", include("apps.outcomes.urls")),
    path("", include("apps.media.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), not inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Before admin's own login, which would sign an operator in without their second factor.
    path("ops/admin/login/", account_views.operator_sign_in, name="ops-admin-login"),
    path("ops/admin/", admin.site.urls),
]
