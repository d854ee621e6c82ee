"""The session store: the table holds a hash of the cookie's key, and the row is read by a
precompiled query that keeps Django's rules (an expired session is no session)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.sessions import SessionStore, hash_session_key

pytestmark = pytest.mark.django_db


def stored(data: dict[str, object]) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    assert store.session_key is not None
    return store.session_key


def test_the_table_keeps_a_hash_of_the_key_and_the_key_reads_the_data():
    key = stored({"seen": 3})

    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.filter(session_key=hash_session_key(key)).exists()
    assert SessionStore(key).load() == {"seen": 3}


def test_reading_a_session_is_one_query():
    key = stored({"seen": 1})

    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(key)["seen"] == 1

    assert len(queries) == 1


def test_an_expired_session_reads_as_none_and_is_not_reused():
    key = stored({"seen": 4})
    Session.objects.filter(session_key=hash_session_key(key)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    store = SessionStore(key)

    assert store.load() == {}
    store["fresh"] = True
    store.save()
    assert store.session_key != key  # a new session, as Django's store does
    assert SessionStore(store.session_key).load() == {"fresh": True}


def test_an_unknown_key_reads_as_none():
    assert SessionStore("k" * 32).load() == {}
