"""Daily reminders: claim who is due, then send, skip or fail each one, recorded.

``reminders_claim_due`` runs every minute (beat). For each time zone it inserts one
``Reminder`` row per due patient and local day with ``bulk_create(ignore_conflicts=True)``
in batches: the unique (patient, local_date) constraint makes a second beat, or a run that
overlaps, claim nothing. ``reminders_send`` then takes a batch of claimed rows with one
conditional UPDATE, decides for each whether to skip it (opted out, quiet hours, day already
complete, ...), sends the rest, and records every outcome.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import islice
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.utils import timezone

from apps.core.prepared import prepared_cursor
from apps.notifications import delivery
from apps.notifications.channels import Channel, Message, batch_channels
from apps.notifications.messages import ReminderMessages
from apps.notifications.models import DeliveryStatus, Reminder, SkipReason
from apps.notifications.selectors import (
    patients_complete_on,
    patients_due_for_reminder,
    patients_held_back_on,
    patients_scheduled_on,
    reminder_time_zones,
)
from apps.outcomes.selectors import due_counts
from apps.patients.models import ReminderChannel

logger = logging.getLogger(__name__)

T = TypeVar("T")
CLAIM_BATCH = 1000
SEND_BATCH = 200


def _batches(ids: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def reminders_claim_due(*, now: datetime) -> list[list[int]]:
    """Claim a reminder row for every patient due at ``now``; returns the claimed ids in
    batches of SEND_BATCH, each to be handed to ``reminders_send``."""
    return list(reminders_claim_in_batches(now=now))


def reminders_claim_in_batches(*, now: datetime) -> Iterator[list[int]]:
    """``reminders_claim_due``, giving each batch as soon as its rows are claimed (and
    committed), so that the first batches go out while the rest are still being claimed."""
    claimed: list[int] = []
    for zone in reminder_time_zones():
        for ids in _claim_zone(zone=zone, now=now):
            claimed += ids
            while len(claimed) >= SEND_BATCH:
                yield claimed[:SEND_BATCH]
                claimed = claimed[SEND_BATCH:]
    if claimed:
        yield claimed


def _claim_zone(*, zone: str, now: datetime) -> Iterator[list[int]]:
    """The ids claimed in ``zone``, a list per CLAIM_BATCH patients due."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date()
    due = patients_due_for_reminder(time_zone=zone, day=day, at=local.time())
    for batch in _batches(due.iterator(chunk_size=CLAIM_BATCH), CLAIM_BATCH):
        yield _claim_batch(rows=batch, day=day, tz=tz, now=now)


# How many finished local days the daily job looks back at: two, so that a day is recorded
# even when the job itself ran late (its UTC day's first tick came after an outage).
MISSED_DAYS_BACK = 2


def reminders_record_missed(*, now: datetime) -> dict[str, int]:
    """Record the reminders of finished local days that no dispatch claimed (the dispatch
    was down from before a reminder's time until after the patient's local midnight): each
    is claimed now and skipped by ``reminders_send``, too late (or archived, opted out, day
    complete), so the record the clinic reads says it did not go. Never sent: a reminder for
    a day that is over would only confuse. A daily job; safe to run twice (the unique
    patient and day). Returns a count per outcome."""
    outcomes: dict[str, int] = defaultdict(int)
    for zone in reminder_time_zones():
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        for back in range(MISSED_DAYS_BACK, 0, -1):
            day = today - timedelta(days=back)
            due = patients_due_for_reminder(time_zone=zone, day=day, at=time.max)
            for batch in _batches(due.iterator(chunk_size=CLAIM_BATCH), CLAIM_BATCH):
                claimed = _claim_batch(rows=batch, day=day, tz=tz, now=now)
                for ids in _batches(claimed, SEND_BATCH):
                    for outcome, count in reminders_send(reminder_ids=ids, now=now).items():
                        outcomes[outcome] += count
    return dict(outcomes)


# The claim's rows as ``Reminder(...)`` with its defaults would write them (``public_id`` a
# random UUID, as ``uuid.uuid4``), on PostgreSQL: ``_claim_batch``.
CLAIM_SQL = f"""
    INSERT INTO {Reminder._meta.db_table} (public_id, patient_id, local_date, due_at, channel,
        status, skip_reason, error, attempts, claim_token, retry_after, created_at, updated_at,
        sent_at)
    SELECT gen_random_uuid(), c.patient_id, %(day)s, c.due_at, c.channel,
        '{DeliveryStatus.CLAIMED.value}', '', '', 0, NULL, %(now)s, %(now)s, %(now)s, NULL
    FROM unnest(%(patients)s::bigint[], %(due)s::timestamptz[], %(channels)s::text[])
        AS c (patient_id, due_at, channel)
    ON CONFLICT DO NOTHING
"""  # noqa: S608  # nosec B608: a table name and a status of our own; values are parameters


def _claim_batch(
    *, rows: list[tuple[int, time, str]], day: date, tz: ZoneInfo, now: datetime
) -> list[int]:
    """One INSERT ... ON CONFLICT DO NOTHING for the batch, then the ids still waiting for a
    first attempt (a concurrent claimer's rows may be among them: sending claims again)."""
    due = [local_instant(day, remind_at, tz) for _, remind_at, _ in rows]
    if connection.vendor == "postgresql":
        # Three arrays instead of fourteen values a row: building and sending a thousand
        # rows' values through bulk_create cost most of the claim (9.4 s for 100,000).
        with prepared_cursor() as cursor:
            cursor.execute(
                CLAIM_SQL,
                {
                    "patients": [row[0] for row in rows],
                    "due": due,
                    "channels": [row[2] for row in rows],
                    "day": day,
                    "now": now,
                },
            )
    else:
        reminders = [
            Reminder(
                patient_id=patient_id,
                local_date=day,
                due_at=due_at,
                channel=channel,
                retry_after=now,
                created_at=now,
                updated_at=now,
            )
            for (patient_id, _, channel), due_at in zip(rows, due, strict=True)
        ]
        Reminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=CLAIM_BATCH)
    inserted = Reminder.objects.filter(
        local_date=day,
        patient_id__in=[row[0] for row in rows],
        status=DeliveryStatus.CLAIMED,
        attempts=0,
    )
    return list(inserted.values_list("pk", flat=True))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``tz``. A time the clocks skip (02:30 on a spring-forward
    night) becomes the first minute that exists after it (03:00); a time that happens twice
    (fall back) is its first occurrence."""
    wall = datetime.combine(day, at)
    for minutes in range(0, 24 * 60):
        candidate = (wall + timedelta(minutes=minutes)).replace(tzinfo=tz, fold=0)
        if candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate.replace(
            tzinfo=None
        ):
            return candidate.replace(second=0, microsecond=0) if minutes else candidate
    return wall.replace(tzinfo=tz)  # no zone skips a whole day; kept for the type checker


def _address(reminder: Reminder) -> str:
    """Where the reminder goes on the channel recorded when it was claimed."""
    patient = reminder.patient
    return patient.phone if reminder.channel == ReminderChannel.SMS else patient.email


def skip_reason(
    *,
    reminder: Reminder,
    now: datetime,
    complete: bool,
    scheduled: bool = True,
    held_back: bool = False,
) -> SkipReason | None:
    """Why this reminder must not be sent at ``now``, or None to send it. ``scheduled``:
    something is still scheduled on its day (it was when the reminder was claimed).
    ``held_back``: hip precautions hold back everything scheduled on its day, so Today has
    nothing to do (``patients_held_back_on``)."""
    patient = reminder.patient
    clinic = patient.clinic
    local = patient.local_now(now)
    if patient.archived_at is not None:
        return SkipReason.ARCHIVED
    if not patient.reminders_enabled:
        return SkipReason.OPTED_OUT
    if clinic.is_suspended:
        # Recorded, never sent late: resumed the same evening, a morning reminder would
        # arrive hours after its time (the clinic's row is read with the batch).
        return SkipReason.CLINIC_SUSPENDED
    if complete:
        # Before lateness and the rest: a reminder held up past its time (an outage) for a
        # day the patient then finished missed nothing, and the record must not read "too
        # late" to the therapist as if it had.
        return SkipReason.DAY_COMPLETE
    grace = timedelta(minutes=clinic.reminder_grace_minutes)
    if local.date() != reminder.local_date or now - reminder.due_at > grace:
        return SkipReason.TOO_LATE
    if clinic.is_quiet_at(local.time()):
        return SkipReason.QUIET_HOURS
    if not scheduled:
        return SkipReason.NOT_SCHEDULED
    if held_back:
        return SkipReason.HELD_BACK
    if not _address(reminder):
        return SkipReason.NO_ADDRESS
    return None


def reminders_send(
    *, reminder_ids: list[int], now: datetime | None = None, token: UUID | None = None
) -> dict[str, int]:
    """Send, skip or fail each waiting row among ``reminder_ids`` (those due, or reserved
    under ``token``), one message at a time: take it, send it, mark it sent (the mark and the
    next take are one statement). A worker killed here leaves at most the one row it was
    sending as ``sending`` (later ``unknown``); the others stay waiting and go out with the
    next task. Safe to run twice: rows already taken are left alone. Returns a count per
    outcome."""
    now = now or timezone.now()
    rows = list(
        Reminder.objects.filter(delivery.takeable(now, token), pk__in=reminder_ids)
        .select_related("patient__clinic")
        .order_by("pk")
    )
    skipped, to_send = _sorted_out(rows, now=now)
    _record_skips(skipped=skipped, token=token, now=now)
    outcomes: dict[str, int] = defaultdict(int)
    outcomes[DeliveryStatus.SKIPPED] = sum(len(ids) for ids in skipped.values())
    _send_in_turn(to_send, outcomes=outcomes, now=now, token=token)
    return dict(outcomes)


def _sorted_out(
    rows: list[Reminder], *, now: datetime
) -> tuple[dict[SkipReason, list[int]], list[Reminder]]:
    """The rows to skip, by reason, and those to send. A fixed number of queries for the
    batch, whatever its size."""
    complete = patients_complete_on(
        patients={r.patient_id: (r.patient, r.local_date) for r in rows}
    )
    # Claimed while something was scheduled; a retry (or a queue that waited) can come after
    # the therapist ended, paused or rescheduled the program.
    days = {r.patient_id: r.local_date for r in rows}
    scheduled = patients_scheduled_on(days=days)
    # The claim counts every scheduled item: checking precautions patient by patient in the
    # bulk selection would cost the fan-out dearly. The few patients with precautions in
    # force are checked here, in one query for the batch (a few more when there are any).
    held_back = patients_held_back_on(days={pk: day for pk, day in days.items() if pk in scheduled})
    skipped: dict[SkipReason, list[int]] = defaultdict(list)
    to_send: list[Reminder] = []
    for reminder in rows:
        reason = skip_reason(
            reminder=reminder,
            now=now,
            complete=reminder.patient_id in complete,
            scheduled=reminder.patient_id in scheduled,
            held_back=reminder.patient_id in held_back,
        )
        if reason is not None:
            skipped[reason].append(reminder.pk)
        else:
            to_send.append(reminder)
    return skipped, to_send


def _send_in_turn(
    reminders: list[Reminder], *, outcomes: dict[str, int], now: datetime, token: UUID | None
) -> None:
    """Take, send and mark each reminder, one at a time (see ``reminders_send``); the
    questionnaires due, the links and the templates are read once for all of them, and the
    emails share one connection to the email backend."""
    questionnaires = due_counts(days={r.patient_id: r.local_date for r in reminders})
    writer = ReminderMessages()
    unrecorded: tuple[int, UUID] | None = None  # sent, its mark riding on the next take
    with batch_channels() as channel_for:
        for reminder in reminders:
            if unrecorded is None:
                taken = delivery.take_one(Reminder, reminder.pk, now=now, token=token)
            else:
                taken = delivery.mark_sent_and_take(
                    Reminder, sent=unrecorded, take=reminder.pk, now=now, token=token
                )
                unrecorded = None
            if taken is None:
                continue  # taken elsewhere
            message = partial(
                writer.message,
                reminder=reminder,
                questionnaires=questionnaires.get(reminder.patient_id),
            )
            outcome = _send_one(
                reminder, message, taken=taken, channel=channel_for(reminder.channel), now=now
            )
            outcomes[outcome] += 1
            if outcome == DeliveryStatus.SENT:
                unrecorded = (reminder.pk, taken)
        if unrecorded is not None:
            # The task's "now" (the real time, or the minute a replay or a test names).
            delivery.mark_sent(Reminder, unrecorded[0], token=unrecorded[1], now=now)


def _record_skips(
    *, skipped: dict[SkipReason, list[int]], token: UUID | None, now: datetime
) -> None:
    """One UPDATE per reason, for the rows still waiting (nobody took them meanwhile)."""
    for reason, ids in skipped.items():
        Reminder.objects.filter(delivery.takeable(now, token), pk__in=ids).update(
            status=DeliveryStatus.SKIPPED, skip_reason=reason, updated_at=now
        )


def _send_one(
    reminder: Reminder,
    message: Callable[[], Message],
    *,
    taken: UUID,
    channel: Channel,
    now: datetime,
) -> str:
    """Send one taken reminder; returns the outcome. Sent is recorded by the caller (with the
    next take); a failure here and now: retried later, or failed for good."""
    to = _address(reminder)
    try:
        channel.send(to=to, message=message())
    except SoftTimeLimitExceeded:
        # The task's time is up, not the channel's fault: stop here. This row stays
        # ``sending`` (it may have arrived: ``unknown``, never sent twice); the rest wait for
        # the task's retry. Recorded as failed, it would be sent again, and the batch would
        # go on until the hard limit killed the worker in the middle of another message.
        raise
    except Exception as exc:  # any channel error: record it and retry later, never lose it
        error = delivery.failure_text(exc, to=to)
        logger.warning("reminder %s failed: %s", reminder.pk, error)
        retry = delivery.mark_failed(
            Reminder,
            reminder.pk,
            token=taken,
            attempts=reminder.attempts + 1,
            error=error,
            now=now,
        )
        return "retry" if retry else DeliveryStatus.FAILED
    return DeliveryStatus.SENT
