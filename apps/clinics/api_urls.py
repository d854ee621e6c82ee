"""API routes of the clinics app, included under /api/v1/ by config/api_urls.py."""

from django.urls import path

from apps.clinics.api import clinics as api

urlpatterns = [
    path("whoami/", api.WhoAmI.as_view(), name="api-whoami"),
    path("tokens/", api.TokenListCreate.as_view(), name="api-tokens"),
    path("tokens/<uuid:public_id>/", api.TokenRevoke.as_view(), name="api-token-revoke"),
]
