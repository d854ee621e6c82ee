"""Routes of the patient's own pages (today, logging, history, offline support)."""

from django.urls import URLPattern, URLResolver, path

from apps.patients import views_today

urlpatterns: list[URLPattern | URLResolver] = [
    path("today/", views_today.today, name="today"),
]
