"""The authentication backend loads the signed-in user with their clinic and patient record,
so pages do not query them again; sessions signed in under Django's ModelBackend are carried
over by migration patients 0008 instead of being signed out."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import Http404
from django.test import Client
from django.utils import timezone

from apps.core.sessions import SessionStore
from apps.patients.backends import DJANGO_MODEL_BACKEND, SignedInUserBackend
from apps.patients.models import Patient
from apps.patients.selectors import own_patient

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "apps.patients.migrations.0008_sessions_use_the_signed_in_user_backend"
)


def test_sign_in_records_this_backend():
    assert settings.SIGN_IN_BACKEND == "apps.patients.backends.SignedInUserBackend"
    assert settings.SIGN_IN_BACKEND in settings.AUTHENTICATION_BACKENDS
    assert migration.NEW == settings.SIGN_IN_BACKEND


def test_a_patient_arrives_with_their_record_and_clinic(patient_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = SignedInUserBackend().get_user(patient_a.user_id)
    assert user is not None
    with django_assert_num_queries(0):
        patient = own_patient(user)
        assert patient.clinic.name == patient_a.clinic.name
    assert patient.pk == patient_a.pk


def test_staff_arrive_with_their_clinic(therapist_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = SignedInUserBackend().get_user(therapist_a.pk)
        assert user is not None
        assert user.clinic.pk == therapist_a.clinic_id


def test_an_archived_patient_is_not_served_from_the_preloaded_record(patient_a):
    Patient.objects.filter(pk=patient_a.pk).update(archived_at=timezone.now())
    user = SignedInUserBackend().get_user(patient_a.user_id)
    with pytest.raises(Http404):
        own_patient(user)


def test_an_inactive_account_is_not_signed_in(patient_a):
    type(patient_a.user).objects.filter(pk=patient_a.user_id).update(is_active=False)
    assert SignedInUserBackend().get_user(patient_a.user_id) is None


def test_without_a_preloaded_record_the_patient_is_queried(patient_a, django_assert_num_queries):
    user = type(patient_a.user).objects.get(pk=patient_a.user_id)
    with django_assert_num_queries(1):
        assert own_patient(user).pk == patient_a.pk


def _session(user, backend: str) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


def _signed_in_as(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def test_the_migration_keeps_sessions_of_the_old_backend_signed_in(patient_a):
    key = _session(patient_a.user, DJANGO_MODEL_BACKEND)
    # Before the migration Django refuses the session: its backend is no longer configured.
    assert _signed_in_as(key).get("/today/").status_code == 302

    migration.forwards(apps, None)

    assert _signed_in_as(key).get("/today/").status_code == 200
    data = SessionStore(session_key=key).load()
    assert data[BACKEND_SESSION_KEY] == settings.SIGN_IN_BACKEND


def test_the_migration_leaves_other_sessions_alone_and_runs_backwards(patient_a):
    other = _session(patient_a.user, "some.other.Backend")
    old = _session(patient_a.user, DJANGO_MODEL_BACKEND)
    before = {s.pk: s.session_data for s in Session.objects.all()}

    migration.forwards(apps, None)
    migration.backwards(apps, None)

    assert SessionStore(session_key=other).load()[BACKEND_SESSION_KEY] == "some.other.Backend"
    assert SessionStore(session_key=old).load()[BACKEND_SESSION_KEY] == DJANGO_MODEL_BACKEND
    assert set(before) == set(Session.objects.values_list("pk", flat=True))


def test_the_one_tap_lookup_of_a_signed_in_patient_is_one_query_and_only_their_own(
    patient_a, patient_b, django_assert_num_queries
):
    from apps.programs.selectors import own_item
    from tests.factories import ExerciseItemFactory

    mine = ExerciseItemFactory(program__patient=patient_a)
    theirs = ExerciseItemFactory(program__patient=patient_b)
    user = SignedInUserBackend().get_user(patient_a.user_id)
    with django_assert_num_queries(1):
        found = own_item(user=user, public_id=mine.public_id)
        assert found is not None
        assert found.program.patient.clinic.pk == patient_a.clinic_id
    assert found.pk == mine.pk
    assert own_item(user=user, public_id=theirs.public_id) is None
