"""Outbox rows that ended are not kept for ever: done ones (their arguments already cleared)
go OUTBOX_KEEP_DONE_DAYS after they were done, given-up (dead) ones, which keep arguments
that can be personal data (an email address), OUTBOX_KEEP_DEAD_DAYS after they were given
up. Pending rows stay however old. Beat runs the purge; it deletes in bounded batches."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from apps.core import outbox
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.tasks import purge_outbox
from config.celery import app as celery_app
from tests.core.test_settings_documented import _settings_with

pytestmark = pytest.mark.django_db

ADDRESS = "ann@example.com"


def row(status: str, *, ended_days_ago: float | None, created_days_ago: float = 200):
    """A message as the outbox leaves it: ``ended_days_ago`` sets ``done_at`` (None: never
    ended). Dead ones keep their arguments, done ones do not (``mark_done``)."""
    now = timezone.now()
    created = now - timedelta(days=created_days_ago)
    ended = None if ended_days_ago is None else now - timedelta(days=ended_days_ago)
    return OutboxMessage.objects.create(
        task="apps.notifications.tasks.send_one_time_links",
        args=[] if status == OutboxStatus.DONE else [ADDRESS, "request-id"],
        status=status,
        created_at=created,
        available_at=created,
        done_at=ended,
    )


def kept() -> set[int]:
    return set(OutboxMessage.objects.values_list("pk", flat=True))


def test_each_state_is_kept_for_its_own_days_then_deleted():
    old_done = row(OutboxStatus.DONE, ended_days_ago=8)
    new_done = row(OutboxStatus.DONE, ended_days_ago=6)
    old_dead = row(OutboxStatus.DEAD, ended_days_ago=91)
    new_dead = row(OutboxStatus.DEAD, ended_days_ago=89)
    # Older than both periods, but still waiting: work that must happen is never purged.
    pending = row(OutboxStatus.PENDING, ended_days_ago=None, created_days_ago=400)

    deleted = outbox.outbox_purge(now=timezone.now())

    assert deleted == 2
    assert kept() == {new_done.pk, new_dead.pk, pending.pk}
    assert {old_done.pk, old_dead.pk}.isdisjoint(kept())


def test_a_given_up_message_and_the_address_it_carries_go_after_the_dead_period():
    dead = row(OutboxStatus.DEAD, ended_days_ago=90.01)

    outbox.outbox_purge(now=timezone.now())

    assert not OutboxMessage.objects.filter(pk=dead.pk).exists()
    assert not OutboxMessage.objects.filter(args__icontains=ADDRESS).exists()


def test_the_periods_come_from_the_settings(settings):
    settings.OUTBOX_KEEP_DONE_DAYS, settings.OUTBOX_KEEP_DEAD_DAYS = 30, 10
    done_20 = row(OutboxStatus.DONE, ended_days_ago=20)
    done_31 = row(OutboxStatus.DONE, ended_days_ago=31)
    dead_11 = row(OutboxStatus.DEAD, ended_days_ago=11)

    outbox.outbox_purge(now=timezone.now())

    assert kept() == {done_20.pk}
    assert {done_31.pk, dead_11.pk}.isdisjoint(kept())


def test_it_deletes_in_bounded_batches_and_the_next_run_goes_on():
    for _ in range(5):
        row(OutboxStatus.DONE, ended_days_ago=30)
    for _ in range(3):
        row(OutboxStatus.DEAD, ended_days_ago=100)

    first = outbox.outbox_purge(now=timezone.now(), batch=2, batches=1)
    second = outbox.outbox_purge(now=timezone.now(), batch=2, batches=2)
    third = outbox.outbox_purge(now=timezone.now(), batch=2, batches=2)

    assert (first, second, third) == (4, 4, 0)
    assert not OutboxMessage.objects.exists()


def test_the_sweep_dates_a_message_it_gives_up_so_the_purge_finds_it():
    message = row(OutboxStatus.PENDING, ended_days_ago=None, created_days_ago=1)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS)
    gave_up = timezone.now()

    outbox.outbox_sweep(now=gave_up)
    outbox.outbox_purge(now=gave_up + timedelta(days=89))
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.DEAD
    outbox.outbox_purge(now=gave_up + timedelta(days=91))

    assert not OutboxMessage.objects.filter(pk=message.pk).exists()


def test_messages_given_up_before_the_upgrade_are_dated_by_the_migration():
    migration = importlib.import_module("apps.core.migrations.0002_outbox_dead_rows_purged")
    dead = row(OutboxStatus.DEAD, ended_days_ago=None, created_days_ago=120)
    done = row(OutboxStatus.DONE, ended_days_ago=3)
    pending = row(OutboxStatus.PENDING, ended_days_ago=None)

    migration.date_given_up_messages(apps, None)

    for message in (dead, done, pending):
        message.refresh_from_db()
    assert dead.done_at == dead.available_at
    assert pending.done_at is None
    assert outbox.outbox_purge(now=timezone.now()) == 1
    assert kept() == {done.pk, pending.pk}


def test_the_task_is_safe_to_run_twice():
    row(OutboxStatus.DONE, ended_days_ago=8)
    row(OutboxStatus.DEAD, ended_days_ago=91)

    assert purge_outbox() == 2
    assert purge_outbox() == 0


def test_beat_runs_the_purge():
    entry = celery_app.conf.beat_schedule["outbox-purge"]

    assert entry["task"] == purge_outbox.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] <= 3600


@pytest.mark.parametrize("name", ["OUTBOX_KEEP_DONE_DAYS", "OUTBOX_KEEP_DEAD_DAYS"])
def test_a_period_under_a_day_stops_start_up_naming_the_variable(name):
    result = _settings_with(**{name: "0"})

    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1]
