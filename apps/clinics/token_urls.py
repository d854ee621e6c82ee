"""Routes of the API token page, spliced into the ``clinics`` namespace by its urls.py."""

from django.urls import path

from apps.clinics import token_views

urlpatterns = [
    path("clinic/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path(
        "clinic/api-tokens/<uuid:public_id>/revoke/",
        token_views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
