from django.urls import URLPattern, URLResolver, path

from apps.media.views import manage as views

app_name = "media"

urlpatterns: list[URLPattern | URLResolver] = [
    # The page; upload and replace are posted to it, so a refusal is answered at its address.
    path("library/exercises/<uuid:public_id>/media/", views.manage, name="manage"),
    path("library/media/<uuid:public_id>/first/", views.make_first, name="first"),
    path("library/media/<uuid:public_id>/delete/", views.delete, name="delete"),
    path("library/media/<uuid:public_id>/<str:name>", views.file, name="file"),
]
