"""``manage.py beat_alive``: the compose healthcheck for beat, fed by the outbox sweep."""

import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from apps.core.tasks import HEARTBEAT_KEY, sweep_outbox

pytestmark = pytest.mark.django_db


def test_it_fails_before_the_first_sweep():
    with pytest.raises(CommandError, match="no heartbeat"):
        call_command("beat_alive")


def test_a_sweep_leaves_a_heartbeat_it_accepts(capsys):
    sweep_outbox()

    call_command("beat_alive")
    assert capsys.readouterr().out.startswith("ok")


def test_an_old_heartbeat_fails():
    cache.set(HEARTBEAT_KEY, time.time() - 400, timeout=None)

    with pytest.raises(CommandError, match="more than 180 s"):
        call_command("beat_alive")
