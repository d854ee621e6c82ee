"""Exit 0 when beat's outbox sweep ran recently (through the broker and a worker), else 1.

docker-compose.yml's healthcheck for ``beat``: the sweep is sent every 30 s, so a heartbeat
older than ``--max-age`` seconds (default 180) means beat, the broker or every worker is
stuck."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from apps.core.tasks import HEARTBEAT_KEY


class Command(BaseCommand):
    help = "Check that beat's outbox sweep ran recently."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--max-age", type=int, default=180)

    def handle(self, *args: Any, max_age: int, **options: Any) -> None:
        last = cache.get(HEARTBEAT_KEY)
        if last is None:
            raise CommandError("no heartbeat yet: the outbox sweep has not run")
        age = time.time() - float(last)
        if age > max_age:
            raise CommandError(f"last heartbeat {age:.0f} s ago (more than {max_age} s)")
        self.stdout.write(f"ok: last heartbeat {age:.0f} s ago")
