from django.urls import URLPattern, URLResolver, path

from apps.media.api import media as api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "exercises/<uuid:public_id>/media/",
        api.ExerciseMediaApi.as_view(),
        name="api-exercise-media",
    ),
    path("media/<uuid:public_id>/", api.MediaDetailApi.as_view(), name="api-media"),
    path(
        "media/<uuid:public_id>/replace/", api.MediaReplaceApi.as_view(), name="api-media-replace"
    ),
    path("media/<uuid:public_id>/first/", api.MediaFirstApi.as_view(), name="api-media-first"),
]
