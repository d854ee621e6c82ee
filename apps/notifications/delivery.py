"""Exactly-once bookkeeping shared by staff emails and reminders.

A message row is committed as ``claimed`` before anything is sent. Whoever hands rows to a
task first *reserves* them (``reserve``: a fresh ``claim_token`` and ``retry_after`` pushed a
little ahead), so the sweep leaves them alone while their task waits in the queue. A worker
then takes one row at a time with a conditional UPDATE (``claimed`` -> ``sending``), sends
it, and marks it ``sent``, again conditionally: of two workers, or a task and its retry, only
one gets each row. A worker killed while sending leaves that one row ``sending``: the sweep
marks it ``unknown`` rather than send it again, because the channel may already have
delivered it (at most once; the inbox shows it). Rows reserved but not reached fall due
again when the reservation ends and are sent by the next task.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from django.db import connection
from django.db.models import F, Field, Q

from apps.core.log_redaction import HIDDEN, redact
from apps.core.prepared import prepared_cursor
from apps.notifications.models import DeliveryStatus, Reminder, StaffNotification

Delivered: TypeAlias = type[StaffNotification] | type[Reminder]

MAX_ATTEMPTS = 4
# A row still ``sending`` after this long belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)
# The task enqueued on commit normally takes a row at once; the sweep waits this long first.
SWEEP_GRACE = timedelta(minutes=1)
INTERRUPTED = "Interrupted while sending: it may have arrived, so it is not sent again."


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts``: 1, 2, 4, 8 ... minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def takeable(now: datetime, token: uuid.UUID | None) -> Q:
    """Waiting rows that are due, or reserved for the task holding ``token``."""
    due = Q(status=DeliveryStatus.CLAIMED, retry_after__lte=now)
    if token is None:
        return due
    return due | Q(status=DeliveryStatus.CLAIMED, claim_token=token)


def reserve(model: Delivered, ids: Iterable[int], *, now: datetime, hold: timedelta) -> uuid.UUID:
    """Set aside the due waiting rows among ``ids`` for one task: the token goes in its message,
    and nobody else takes them (nor does the sweep queue them again) for ``hold``."""
    token = uuid.uuid4()
    model.objects.filter(
        pk__in=list(ids), status=DeliveryStatus.CLAIMED, retry_after__lte=now
    ).update(claim_token=token, retry_after=now + hold, updated_at=now)
    return token


def take_one(
    model: Delivered, pk: int, *, now: datetime, token: uuid.UUID | None = None
) -> uuid.UUID | None:
    """Take row ``pk`` if it is due (or reserved under ``token``) for sending; returns the
    token to mark it with, a fresh one, or None when it was not taken (someone else has it,
    or it has been sent): a run holding the reservation's token learns whether it took it."""
    taken = uuid.uuid4()
    updated = model.objects.filter(takeable(now, token), pk=pk).update(
        status=DeliveryStatus.SENDING,
        claim_token=taken,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return taken if updated else None


def mark_sent(model: Delivered, pk: int, *, token: uuid.UUID, now: datetime) -> bool:
    return bool(
        model.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SENT, sent_at=now, updated_at=now, error=""
        )
    )


def mark_sent_and_take(
    model: Delivered,
    *,
    sent: tuple[int, uuid.UUID],
    take: int,
    now: datetime,
    token: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """``mark_sent`` for the row just sent (its pk and token) and ``take_one`` for the next, in
    one statement: one commit per message instead of two (the reminder fan-out's cost). A
    worker killed before the statement leaves the sent row ``sending``, after it the taken
    one: never more than one row per worker. Returns the taken row's token, or None when
    someone else has it.

    Written in SQL, and the SQL written once per model and database: built by the ORM (a
    CASE per column) the statement cost more to compile than to run, and so did assembling
    it from the model's metadata on every message (bench/README.md, reminder fan-out)."""
    sent_pk, sent_token = sent
    taken = uuid.uuid4()
    statement = _sent_and_take_statement(model, connection.vendor)
    params = {
        "sent": sent_pk,
        "sent_token": statement.uuid(sent_token),
        "taken": statement.uuid(taken),
        "take": take,
        "now": statement.instant(now),
        "token": statement.uuid(token or taken),
    }
    # Prepared (``apps.core.prepared``): bound on the server, no statement text built per message.
    with prepared_cursor() as cursor:
        cursor.execute(statement.sql, params)
        updated = cursor.rowcount
    if updated == 2:
        return taken
    if updated == 1 and model.objects.filter(pk=take, claim_token=taken).exists():
        return taken  # rare: the sent row was no longer ours (see mark_unknown_stuck)
    return None


@dataclass(frozen=True)
class _Statement:
    sql: str
    token_field: Field[Any, Any]
    time_field: Field[Any, Any]

    def uuid(self, value: uuid.UUID) -> Any:
        return self.token_field.get_db_prep_value(value, connection)

    def instant(self, value: datetime) -> Any:
        return self.time_field.get_db_prep_value(value, connection)


@functools.cache
def _sent_and_take_statement(model: Delivered, vendor: str) -> _Statement:
    """The UPDATE of ``mark_sent_and_take`` for ``model`` on a ``vendor`` database (the
    quoting differs), with named parameters: sent, sent_token, taken, take, now, token."""
    meta = model._meta
    quote = connection.ops.quote_name

    def field(name: str) -> Field[Any, Any]:
        found = meta.get_field(name)
        assert isinstance(found, Field)
        return found

    def column(name: str) -> str:
        return quote(field(name).column or name)

    def literal(status: DeliveryStatus) -> str:
        assert status.value.isalpha()  # a constant of ours, safe to write into the SQL
        return f"'{status.value}'"

    pk, status, claim_token = column("id"), column("status"), column("claim_token")
    sent, sending = literal(DeliveryStatus.SENT), literal(DeliveryStatus.SENDING)
    is_sent = f"{pk} = %(sent)s"
    # The status compared through an expression no index is on, so that only the primary key
    # can find the two rows. Compared plainly, the status implied the predicate of the waiting
    # rows' partial index, and when the statistics were older than a morning's claims (few
    # rows waiting then, 100,000 now) the planner scanned that whole index for every message:
    # 9.6 ms instead of 0.1, and a fan-out of 100,000 in 460-500 s instead of 64.
    status_ = f"({status} || '')"
    sql = f"""
        UPDATE {quote(meta.db_table)} SET
            {status} = CASE WHEN {is_sent} THEN {sent} ELSE {sending} END,
            {column("sent_at")} = CASE WHEN {is_sent} THEN %(now)s ELSE {column("sent_at")} END,
            {column("error")} = CASE WHEN {is_sent} THEN '' ELSE {column("error")} END,
            {claim_token} = CASE WHEN {is_sent} THEN {claim_token} ELSE %(taken)s END,
            {column("attempts")} = CASE WHEN {is_sent}
                THEN {column("attempts")} ELSE {column("attempts")} + 1 END,
            {column("updated_at")} = %(now)s
        WHERE ({is_sent} AND {claim_token} = %(sent_token)s AND {status_} = {sending})
           OR ({pk} = %(take)s AND {status_} = {literal(DeliveryStatus.CLAIMED)}
               AND ({column("retry_after")} <= %(now)s OR {claim_token} = %(token)s))
    """  # noqa: S608  # nosec B608: names from the model's own metadata, values are parameters
    return _Statement(sql, field("claim_token"), field("updated_at"))


def failure_text(error: BaseException, *, to: str) -> str:
    """What is logged and recorded of a channel's refusal to send to ``to``: its words
    without that address (an email address or a phone number, as the channel quotes it:
    "550 5.1.1 <ann@example.org>: Recipient address rejected") nor any other email address.
    The row names its recipient; the log and the error shown to staff need not."""
    text = str(error) or type(error).__name__
    if to:
        text = re.sub(re.escape(to), HIDDEN, text, flags=re.IGNORECASE)
    return redact(text)


def mark_failed(
    model: Delivered, pk: int, *, token: uuid.UUID, attempts: int, error: str, now: datetime
) -> bool:
    """Record a failed attempt: back to ``claimed`` with a later ``retry_after``, or
    ``failed`` for good after MAX_ATTEMPTS. Returns whether it will be retried. ``error``
    is stored without email addresses (``failure_text`` also hides the recipient's)."""
    retry = attempts < MAX_ATTEMPTS
    model.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.CLAIMED if retry else DeliveryStatus.FAILED,
        retry_after=now + backoff(attempts),
        error=redact(error)[:300],
        updated_at=now,
    )
    return retry


def mark_skipped(model: Delivered, pk: int, *, token: uuid.UUID, why: str, now: datetime) -> None:
    """Record that a taken row will never be sent, and why (``error``)."""
    model.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SKIPPED, error=why[:300], updated_at=now
    )


def due_for_retry(model: Delivered, *, now: datetime, limit: int) -> list[int]:
    """Ids of waiting rows nobody took in time (lost message, broker down, backoff over,
    reservation ended)."""
    ids = model.objects.filter(
        status=DeliveryStatus.CLAIMED, retry_after__lte=now - SWEEP_GRACE
    ).values_list("pk", flat=True)
    return list(ids.order_by("retry_after")[:limit])


def mark_unknown_stuck(model: Delivered, *, now: datetime) -> int:
    """Rows left ``sending`` by a dead worker become ``unknown`` (see the module docstring)."""
    return model.objects.filter(
        status=DeliveryStatus.SENDING, updated_at__lt=now - STUCK_AFTER
    ).update(status=DeliveryStatus.UNKNOWN, error=INTERRUPTED, updated_at=now)
