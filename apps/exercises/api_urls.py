from django.urls import URLPattern, URLResolver, path

from apps.exercises.api import library as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("exercises/", api.ExerciseListApi.as_view(), name="api-exercise-list"),
    path("exercises/<uuid:public_id>/", api.ExerciseDetailApi.as_view(), name="api-exercise"),
    path("evidence/", api.EvidenceListApi.as_view(), name="api-evidence-list"),
    path("ladders/", api.LadderListApi.as_view(), name="api-ladder-list"),
    path("ladders/<uuid:public_id>/", api.LadderDetailApi.as_view(), name="api-ladder"),
]
