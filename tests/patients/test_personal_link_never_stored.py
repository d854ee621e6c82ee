"""The personal link is an HMAC under SECRET_KEY and is never stored: no row anywhere in the
database holds its token after the patient signed in with it, so a copy of the database (a
backup, a replica) holds no working link. Django-axes' access log wrote the path of every
sign-in, link token included, into ``axes_accesslog``."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from apps.patients import auth

pytestmark = pytest.mark.django_db


def _rows_holding(text: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  # nosec B608
            found += [table for row in cursor.fetchall() if text in repr(row)]
    return found


def test_signing_in_with_the_personal_link_stores_its_token_nowhere(patient_a):
    token = auth.personal_link_token(patient_a)
    phone = Client()

    answer = phone.post(auth.personal_link_path(patient_a), {"year_of_birth": "1961"})

    assert answer.status_code == 302
    assert phone.get("/today/").status_code == 200
    assert _rows_holding(token) == []


def test_a_mistyped_year_leaves_the_still_working_link_in_no_log(patient_a, caplog):
    # Django logs the path of every 4xx answer ("Bad Request: /p/<id>/<token>/"); after one
    # wrong year the link still works, so whoever reads the logs could sign in with it.
    token = auth.personal_link_token(patient_a)

    answer = Client().post(auth.personal_link_path(patient_a), {"year_of_birth": "1900"})

    assert answer.status_code == 400
    assert "Bad Request: /p/" in caplog.text
    assert token not in caplog.text
