"""The app's URLs plus two floors behind the same middleware and authentication: a bare
page (the patient page's floor), and a bare authenticated POST that inserts one set log with
a hand-written INSERT (what any one-tap log costs on this stack before doing anything of its
own). Used only by the gunicorn that ``make bench`` starts."""

import json

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


def bare_insert(request: HttpRequest) -> HttpResponse:
    """The body is the row of ``bench.scenarios.ingest.INSERT_SQL``; CSRF is checked by the
    middleware as for the API, the session and user are read as for the API."""
    from bench.scenarios.ingest import INSERT_SQL

    if request.method != "POST" or not request.user.is_authenticated:
        return JsonResponse({"message": "no"}, status=403)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, json.loads(request.body)["row"])
    return JsonResponse({"saved": True}, status=201)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/bare-insert/", bare_insert, name="bench-bare-insert"),
    path("", include("config.urls")),
]
