from django.urls import URLPattern, URLResolver, path

from apps.exercises import views

app_name = "exercises"

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.library, name="library"),
    path("library/exercises/<uuid:public_id>/", views.exercise_detail, name="detail"),
    path("library/ladders/", views.ladder_list, name="ladders"),
    path("library/ladders/<uuid:public_id>/", views.ladder_detail, name="ladder"),
]
