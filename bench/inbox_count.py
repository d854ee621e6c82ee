"""Time the staff menu's "Inbox N waiting" count in-process, on whatever data is seeded.

    python -m bench.inbox_count [--runs 200] [EMAIL ...]

Calls ``inbox_waiting_count`` ``--runs`` times for each staff member (by default the demo's
therapist and admin of Riverside and, when ``seed_scale`` ran, the scale clinic's first
therapist and its admin) and prints the median and p90 of a call, split into the time inside
the database cursor's ``execute`` (PostgreSQL or SQLite, and the driver) and the rest (Python:
building and compiling the statement, reading the row). Each user is loaded fresh, as a page
loads ``request.user``. Needs DATABASE_URL (or the embedded default) with ``seed_demo`` run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

DEFAULT_USERS = (
    "alex@riverside.example",
    "admin@riverside.example",
    "therapist1@scale-clinic.scale.example",
    "admin@scale-clinic.scale.example",
)


class ExecuteClock:
    """The time spent inside ``execute`` since the last ``take()``."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

    def take(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"{statistics.median(values) * 1000:6.3f} (p90 {p90 * 1000:6.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("emails", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection

    from apps.clinics.models import User
    from apps.notifications.selectors import inbox_waiting_count

    clock = ExecuteClock()
    print(f"{args.runs} calls each, ms: total | in execute | outside (Python)")
    for email in args.emails or DEFAULT_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        totals, inside = [], []
        with connection.execute_wrapper(clock):
            for run in range(args.runs + 10):
                fresh = User.objects.get(pk=user.pk)
                clock.take()
                started = time.perf_counter()
                count = inbox_waiting_count(user=fresh)
                took = time.perf_counter() - started
                if run >= 10:  # the first calls warm up the connection and caches
                    totals.append(took)
                    inside.append(clock.take())
        outside = [t - i for t, i in zip(totals, inside, strict=True)]
        print(f"{email:40} n={count:<3} {_ms(totals)} | {_ms(inside)} | {_ms(outside)}")


if __name__ == "__main__":
    main()
