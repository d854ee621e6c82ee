from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.patients import urls as patients_urls
from apps.portal import urls as portal_urls

# The patient's own pages moved to the portal app but keep their names ("patients:today"): one
# namespace can be included only once, so the two apps' routes are joined here, above both.
patients_namespace = ([*patients_urls.urlpatterns, *portal_urls.urlpatterns], "patients")

urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.clinics.urls")),
    path("", include(patients_namespace)),
    path("", include("apps.exercises.urls")),
    path("", include("apps.programs.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.audit.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("ops/admin/", admin.site.urls),
]
