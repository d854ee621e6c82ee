"""Signing in names ``ClinicUserBackend``; its user read (a precompiled query) gives the same
user as Django's model backend, and the same refusals."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from apps.clinics.backends import SIGN_IN_BACKEND, ClinicUserBackend
from apps.core.sessions import SessionStore
from tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def fields(user):
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_it_reads_the_same_user_as_djangos_model_backend(therapist_a):
    ours = ClinicUserBackend().get_user(therapist_a.pk)

    assert ours is not None
    assert fields(ours) == fields(ModelBackend().get_user(therapist_a.pk))
    assert ours.clinic == therapist_a.clinic


@pytest.mark.parametrize("user_id", [None, "", "abc", "12x", 10**12])
def test_no_user_for_an_id_that_is_not_one(user_id, therapist_a):
    assert ClinicUserBackend().get_user(user_id) is None


def test_a_deactivated_user_is_no_user(therapist_a):
    therapist_a.is_active = False
    therapist_a.save(update_fields=["is_active"])

    assert ClinicUserBackend().get_user(therapist_a.pk) is None


def test_signing_in_with_a_password_names_this_backend(clinic_a):
    person = StaffFactory(clinic=clinic_a)
    client = Client()

    client.post("/sign-in/", {"username": person.email, "password": STAFF_PASSWORD})

    assert client.session[BACKEND_SESSION_KEY] == SIGN_IN_BACKEND
    assert client.get("/api/v1/whoami/").json()["email"] == person.email


def cookie_session(user, backend: str) -> str:
    store = SessionStore()
    store.update(
        {
            "_auth_user_id": str(user.pk),
            BACKEND_SESSION_KEY: backend,
            "_auth_user_hash": user.get_session_auth_hash(),
        }
    )
    store.create()
    assert store.session_key is not None
    return store.session_key


def backend_of(key: str) -> str:
    return SessionStore(key).load()[BACKEND_SESSION_KEY]


@pytest.mark.django_db(transaction=True)
def test_sessions_signed_in_before_keep_their_user_through_the_upgrade(clinic_a):
    person = StaffFactory(clinic=clinic_a)
    before, after = (
        ("clinics", "0006_clinic_default_times_as_functions"),
        (
            "clinics",
            "0007_sessions_name_the_clinic_user_backend",
        ),
    )
    try:
        MigrationExecutor(connection).migrate([before])
        old = cookie_session(person, DJANGO_MODEL_BACKEND)
        other = cookie_session(person, "somewhere.else.Backend")
        MigrationExecutor(connection).migrate([after])
        assert backend_of(old) == SIGN_IN_BACKEND
        assert backend_of(other) == "somewhere.else.Backend"
        MigrationExecutor(connection).migrate([before])
        assert backend_of(old) == DJANGO_MODEL_BACKEND
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    client = Client()
    client.cookies["sessionid"] = old
    assert client.get("/api/v1/whoami/").json()["email"] == person.email
