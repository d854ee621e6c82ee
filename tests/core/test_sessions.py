"""The session store: the table holds a hash of the cookie's key, and the row is read by a
precompiled query that keeps Django's rules (an expired session is no session). Its async
methods (an ASGI deployment's) hash the key too."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
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


def test_the_async_methods_store_and_read_the_hash_too():
    store = SessionStore()
    store["seen"] = 5
    async_to_sync(store.asave)()
    key = store.session_key
    assert key is not None

    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.filter(session_key=hash_session_key(key)).exists()
    assert async_to_sync(SessionStore(key).aload)() == {"seen": 5}
    assert async_to_sync(store.aexists)(key)
    assert SessionStore(key).load() == {"seen": 5}  # and the two kinds read each other's


def test_async_reading_keeps_the_rules_and_deleting_removes_the_row():
    key = stored({"seen": 6})
    assert async_to_sync(SessionStore(key).aload)() == {"seen": 6}
    assert async_to_sync(SessionStore("k" * 32).aload)() == {}

    async_to_sync(SessionStore(key).adelete)()

    assert not Session.objects.filter(session_key=hash_session_key(key)).exists()
    assert async_to_sync(SessionStore(key).aload)() == {}
