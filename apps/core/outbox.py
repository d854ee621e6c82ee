"""The one way to enqueue background work: a transactional outbox.

1. ``enqueue("apps.x.tasks.do_it", [arg, ...])`` writes an ``OutboxMessage`` row in the
   caller's transaction, so the work exists exactly when the change that needs it does.
2. After commit the row is published to Celery with its id in a message header. A broker
   that is down costs the request nothing: the row is marked due and stays for the sweep.
3. The worker (``OutboxTask``, every task's base class) takes the row with a conditional
   UPDATE and a lease before running the task, and marks it done after. A row already done,
   or leased by a live worker, is skipped: a message delivered twice runs once.
4. ``outbox_sweep`` (beat) republishes rows whose time came and went: never published, lost
   with a Redis restart, or leased by a worker that died. A row that was just published is
   not due again before ``OUTBOX_REQUEUE_SECONDS``, so a backlog is never queued twice.
5. ``outbox_purge`` (beat) deletes rows that ended: done ones after
   ``OUTBOX_KEEP_DONE_DAYS``, given-up (dead) ones, kept with their arguments for an operator
   to look at, after ``OUTBOX_KEEP_DEAD_DAYS``.

Only this module talks to Celery's publishing API; task names are strings, so ``core``
imports no app. Tasks stay idempotent: the outbox makes duplicates rare, not impossible (a
worker that dies after the work but before marking it done runs it again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.core.log_redaction import redact
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.prepared import insert_row

logger = logging.getLogger(__name__)

HEADER = "outbox_id"
# Publishing gives up quickly when the broker is down: the caller is usually a web request,
# and the sweep publishes the row once the broker is back, so waiting longer buys nothing.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# A lease outlives the task's hard time limit by this much: a lease that expires means the
# worker is gone, never that it is slow.
LEASE_MARGIN = timedelta(seconds=30)
# After this many takes (each a crash, a time-out or an error) a message is given up.
MAX_ATTEMPTS = 8
SWEEP_BATCH = 500
# The purge deletes this many rows a statement, at most PURGE_BATCHES statements a state and
# run: each DELETE stays short (no long lock, no huge WAL burst) and a backlog (the first
# run after an upgrade) is worked off over a few runs.
PURGE_BATCH = 1000
PURGE_BATCHES = 50


def requeue_after() -> timedelta:
    """How long a published message may wait in the queue before the sweep publishes it
    again (it was lost, e.g. with a Redis restart that dropped the queue)."""
    return timedelta(seconds=settings.OUTBOX_REQUEUE_SECONDS)


def enqueue(task: str, args: Sequence[Any] = (), *, key: str = "") -> OutboxMessage | None:
    """Record ``task(*args)`` in the current transaction and publish it after commit.

    ``args`` must be JSON. With a ``key``, a message already pending under that key makes
    this a no-op (returns None). Never raises because of the broker.
    """
    now = timezone.now()
    message = OutboxMessage(
        task=task, args=list(args), key=key, created_at=now, available_at=now + requeue_after()
    )
    if key:
        try:
            with transaction.atomic():  # a savepoint: a lost race keeps the caller's transaction
                message.save(force_insert=True)
        except IntegrityError:
            return None
    else:
        insert_row(message)  # the one-tap log's path: the INSERT prepared, not compiled
    transaction.on_commit(lambda: _publish_after_commit(message))
    return message


def enqueue_many(task: str, args: Sequence[Sequence[Any]]) -> list[OutboxMessage]:
    """``enqueue`` of several messages of one ``task`` (without a key), one per arguments in
    ``args``, in one INSERT: a fan-out costs the same queries however many messages it makes."""
    now = timezone.now()
    messages = [
        OutboxMessage(
            task=task, args=list(each), created_at=now, available_at=now + requeue_after()
        )
        for each in args
    ]
    OutboxMessage.objects.bulk_create(messages)
    transaction.on_commit(lambda: _publish_after_commit(*messages))
    return messages


# Messages committed while a web request runs wait here until its response has been sent
# (``PublishAfterResponseMiddleware``), so the answer never waits for the broker: publishing
# cost about 0.5 ms of a 5 ms one-tap log. Outside a request (tasks, commands) they go at once.
_after_response: ContextVar[list[OutboxMessage] | None] = ContextVar(
    "outbox_after_response", default=None
)


def _publish_after_commit(*messages: OutboxMessage) -> None:
    waiting = _after_response.get()
    if waiting is None:
        publish(messages)
    else:
        waiting.extend(messages)


class PublishAfterResponseMiddleware:
    """Publish what the request committed once its response is sent (Django closes a response
    after the server has written it). A worker killed in between leaves committed rows that
    the sweep publishes, as after a broker outage. A streamed response (an export) publishes
    before streaming: it may take minutes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        waiting: list[OutboxMessage] = []
        token = _after_response.set(waiting)
        try:
            response = self.get_response(request)
        except BaseException:
            publish(waiting)
            raise
        finally:
            _after_response.reset(token)
        if waiting:
            if response.streaming:
                publish(waiting)
            else:
                # Django's own list of what ``response.close()`` runs (file responses use it).
                response._resource_closers.append(lambda: publish(waiting))  # type: ignore[attr-defined]
        return response


def publish(messages: Sequence[OutboxMessage]) -> int:
    """Hand committed messages to the broker; returns how many it took. On the first failure
    the rest are marked due for the sweep and this returns (the broker is down)."""
    for index, message in enumerate(messages):
        try:
            _send(message)
        except Exception:
            logger.warning("could not publish %s; the outbox sweep will", message, exc_info=True)
            _due_now([m.pk for m in messages[index:]])
            return index
    return len(messages)


def _send(message: OutboxMessage) -> None:
    from config.celery import app

    headers = {HEADER: str(message.pk)}
    if app.conf.task_always_eager:  # tests: run it here, as a worker would (errors logged)
        app.loader.import_default_modules()
        app.tasks[message.task].apply(args=message.args, headers=headers, throw=False)
        return
    app.send_task(
        message.task,
        args=message.args,
        headers=headers,
        retry=True,
        retry_policy=PUBLISH_RETRY_POLICY,
    )


def _due_now(ids: list[int]) -> None:
    try:
        OutboxMessage.objects.filter(
            pk__in=ids, status=OutboxStatus.PENDING, leased_until__isnull=True
        ).update(available_at=timezone.now())
    except Exception:  # the database is down too: the rows fall due on their own anyway
        logger.warning("could not mark outbox messages %s due", ids, exc_info=True)


# --- The worker's side ------------------------------------------------------------------------


def claim(message_id: int, *, lease: timedelta, now: datetime) -> bool:
    """Take a pending message for ``lease`` unless a live worker holds it; returns whether
    this caller may run it. The sweep will not publish it again before the lease ends."""
    until = now + lease
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    taken = OutboxMessage.objects.filter(
        free, pk=message_id, status=OutboxStatus.PENDING, attempts__lt=MAX_ATTEMPTS
    ).update(leased_until=until, available_at=until, attempts=F("attempts") + 1)
    return bool(taken)


def mark_done(message_id: int, *, now: datetime) -> None:
    """Done work forgets what it carried: arguments can be personal data (the address a
    one-time sign-in link went to) and nothing reads them again; the task name and key stay
    for the days a done message is kept."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.DONE, done_at=now, leased_until=None, error="", args=[]
    )


def release(message_id: int, *, available_at: datetime, error: str = "") -> None:
    """Give the lease back; the sweep publishes the message again from ``available_at``.
    ``error`` is stored without email addresses: a mail server's refusal quotes the address
    it refused, and a message that is given up keeps its error for operators to read."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(
        leased_until=None, available_at=available_at, error=redact(error)[:300]
    )


def backoff(attempts: int) -> timedelta:
    """Wait after failed take number ``attempts``: 30 s, 1, 2, 4 ... minutes, at most 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class OutboxTask(Task):
    """Every task's base class (``config/celery.py``). A message published by the outbox
    carries its row's id: the task runs only if it can take the row, and marks it done
    after. A call without the header (a test, the shell) just runs."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        message_id = _message_id(self.request)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        if not claim(message_id, lease=self._lease(), now=timezone.now()):
            logger.info("outbox message %s is done or taken by a live worker", message_id)
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Retry:  # Celery publishes the retry itself; the sweep covers a lost one
            release(message_id, available_at=timezone.now() + requeue_after() * 3)
            raise
        except Exception as exc:
            attempts = OutboxMessage.objects.filter(pk=message_id).values_list(
                "attempts", flat=True
            )
            wait = backoff(next(iter(attempts), 1))
            release(message_id, available_at=timezone.now() + wait, error=repr(exc))
            raise
        mark_done(message_id, now=timezone.now())
        return result

    def _lease(self) -> timedelta:
        limit = self.time_limit or self.app.conf.task_time_limit or 300
        return timedelta(seconds=limit) + LEASE_MARGIN


def leased(request: Any) -> bool:
    """Whether the task running ``request`` runs an outbox message, and so holds its lease:
    no other worker runs that message until it is done, released or the lease ends (its
    holder died: the lease outlives the task's hard time limit). Work the task finds still
    marked as in progress under its own message was left by an earlier attempt that failed
    or died, never by a live one."""
    return _message_id(request) is not None


def _message_id(request: Any) -> int | None:
    headers = getattr(request, "headers", None) or {}
    value = headers.get(HEADER, getattr(request, HEADER, None))
    return int(value) if value is not None else None


# --- The sweep --------------------------------------------------------------------------------


def outbox_sweep(*, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Publish again what fell due (lost, never published, its worker died); give up on
    messages taken MAX_ATTEMPTS times. Returns how many were published. Two sweeps at once
    publish each message once (rows locked, skipped)."""
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__lte=now)
    # ``done_at`` is when a message ended, given up included: the purge counts from it.
    dead = pending.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboxStatus.DEAD, leased_until=None, done_at=now
    )
    if dead:
        logger.error("gave up on %s outbox message(s) after %s attempts", dead, MAX_ATTEMPTS)
    with transaction.atomic():
        due = list(
            pending.select_for_update(skip_locked=True).order_by("available_at", "pk")[:limit]
        )
        OutboxMessage.objects.filter(pk__in=[m.pk for m in due]).update(
            available_at=now + requeue_after(), leased_until=None, published=F("published") + 1
        )
    return publish(due)


def outbox_purge(*, now: datetime, batch: int = PURGE_BATCH, batches: int = PURGE_BATCHES) -> int:
    """Delete the messages that ended long enough ago; returns how many.

    Done ones go ``OUTBOX_KEEP_DONE_DAYS`` after they were done (their arguments are already
    gone, ``mark_done``). Given-up (dead) ones keep theirs, which can be personal data (the
    address a one-time sign-in link was asked for), so an operator can see what failed: they
    go ``OUTBOX_KEEP_DEAD_DAYS`` after they were given up, rather than never. Pending
    messages are never touched, however old.

    Deletes ``batch`` rows a statement, at most ``batches`` statements a state: the next run
    goes on where this one stopped. Safe to run twice or at once: a row the other run
    deleted is simply not there any more."""
    deleted = 0
    for status, days in (
        (OutboxStatus.DONE, settings.OUTBOX_KEEP_DONE_DAYS),
        (OutboxStatus.DEAD, settings.OUTBOX_KEEP_DEAD_DAYS),
    ):
        ended = OutboxMessage.objects.filter(status=status, done_at__lt=now - timedelta(days=days))
        for _ in range(batches):
            ids = list(ended.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            count, _ = OutboxMessage.objects.filter(pk__in=ids, status=status).delete()
            deleted += count
    return deleted


def given_up(task: str) -> list[list[Any]]:
    """The arguments of ``task``'s messages given up on (dead, kept ``OUTBOX_KEEP_DEAD_DAYS``):
    for the app that queued them to close what they were to do, which no worker will."""
    dead = OutboxMessage.objects.filter(task=task, status=OutboxStatus.DEAD)
    return list(dead.values_list("args", flat=True))


def outbox_forget(*, value: str) -> int:
    """Delete every message, whatever its state, that carries ``value`` (compared without
    case) among its arguments; returns how many. For erasing a person: a message may carry
    their email address (a one-time link request), and one given up on is kept until an
    operator looks, which for an erased patient is never. The text search only narrows the
    rows read; the match is on whole arguments."""
    wanted = value.casefold()
    if not wanted:
        return 0
    rows = OutboxMessage.objects.filter(args__icontains=value).values_list("pk", "args")
    ids = [
        pk
        for pk, args in rows
        if any(isinstance(arg, str) and arg.casefold() == wanted for arg in args or [])
    ]
    if not ids:
        return 0
    deleted, _ = OutboxMessage.objects.filter(pk__in=ids).delete()
    return deleted
