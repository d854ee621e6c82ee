"""Database sessions keyed by a hash of the session id.

The cookie carries the session id; the table stores only its SHA-256, so a copy of the
database alone cannot be replayed as anyone's session (the same idea as storing password
hashes). Every request that carries a session cookie reads its row, so that read's SQL is
compiled once and prepared (``PrecompiledQuery``). Everything else is Django's own database
session store, its async methods (an ASGI deployment's) hashing the key as the others do.
"""

import hashlib
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore as DBSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.core.precompiled import STR_STAND_IN, PrecompiledQuery

# By key alone: whether it has expired is checked on the row, as Django's store does in SQL.
_SESSION_BY_KEY: PrecompiledQuery[Session] = PrecompiledQuery(
    lambda session_key: Session.objects.filter(session_key=session_key).order_by(),
    stand_ins=(STR_STAND_IN,),
)


def hash_session_key(session_key: str) -> str:
    # Session.session_key holds 40 characters: 160 bits of SHA-256 are plenty.
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


class SessionStore(DBSessionStore):
    def _get_session_from_db(self) -> Session | None:
        if self.session_key is None:
            return None
        found = _SESSION_BY_KEY.first(hash_session_key(self.session_key))
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None  # as Django's store: a new session on the next save
            return None
        return found

    def exists(self, session_key: str) -> bool:
        return super().exists(hash_session_key(session_key))

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        obj = super().create_model_instance(data)
        obj.session_key = hash_session_key(obj.session_key)
        return obj  # type: ignore[return-value]

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        super().delete(hash_session_key(session_key))

    # The async variants Django's store has since 5.1: without these, an async view would look
    # up and store the cookie's key itself.
    async def _aget_session_from_db(self) -> Session | None:
        return await sync_to_async(self._get_session_from_db)()

    async def aexists(self, session_key: str) -> bool:
        return await super().aexists(hash_session_key(session_key))

    async def acreate_model_instance(self, data: dict[str, Any]) -> Session:
        obj = await super().acreate_model_instance(data)
        obj.session_key = hash_session_key(obj.session_key)
        return obj  # type: ignore[return-value]

    async def adelete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await super().adelete(hash_session_key(session_key))
