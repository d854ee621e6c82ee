from django.urls import URLPattern, URLResolver, path

from apps.exercises.views import illustrations as views_illustrations
from apps.exercises.views import library as views
from apps.exercises.views import manage as views_manage

app_name = "exercises"

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.library, name="library"),
    path("library/exercises/new/", views_manage.exercise_create, name="create"),
    path("library/exercises/<uuid:public_id>/", views.exercise_detail, name="detail"),
    path("library/exercises/<uuid:public_id>/edit/", views_manage.exercise_edit, name="edit"),
    path(
        "library/exercises/<uuid:public_id>/evidence/new/",
        views_manage.evidence_add,
        name="evidence-add",
    ),
    path("library/evidence/<uuid:public_id>/", views_manage.evidence_edit, name="evidence-edit"),
    path("library/studies/new/", views_manage.study_create, name="study-create"),
    path("library/ladders/", views.ladder_list, name="ladders"),
    path("library/ladders/new/", views_manage.ladder_create, name="ladder-create"),
    path("library/ladders/<uuid:public_id>/", views.ladder_detail, name="ladder"),
    path("library/ladders/<uuid:public_id>/edit/", views_manage.ladder_edit, name="ladder-edit"),
    path(
        "illustrations/<slug:key>/<slug:variant>.svg",
        views_illustrations.illustration,
        name="illustration",
    ),
]
