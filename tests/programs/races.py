"""Two writers at the same moment, on real PostgreSQL connections: writer A does its part in
a transaction it holds open; writer B starts once A's part is done; when B is seen waiting on
a lock (or has finished: without the lock under test it does not wait), A commits. The tests
then read what both left behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import ModuleType
from unittest import mock

from django.db import connection, transaction

WAIT = 30


def someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def race(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run ``first`` as writer A and ``second`` as writer B; re-raise what either raised."""
    a_done, release_a, b_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with transaction.atomic():
                first()
                a_done.set()
                release_a.wait(WAIT)
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    def writer_b() -> None:
        try:
            a_done.wait(WAIT)
            second()
        except BaseException as exc:
            errors.append(exc)
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    try:
        assert a_done.wait(WAIT), "writer A never did its part"
        for _ in range(WAIT * 100):  # polled, not timed: time may be frozen by the test
            if b_done.is_set() or someone_waits_on_a_lock():
                break
            time.sleep(0.01)
    finally:
        release_a.set()
        for thread in threads:
            thread.join(WAIT)
    if errors:
        raise errors[0]


def paused_after(
    module: ModuleType, step: str, first: Callable[[], object], second: Callable[[], object]
) -> None:
    """Run ``first`` in one thread, stopping after its first call of ``module.<step>``
    until ``second`` (in another thread) is seen waiting on a lock or has finished; re-raise
    what either raised. The test's own thread watches (a transaction sees
    ``pg_stat_activity`` as it first read it)."""
    reached, done, go_on = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    original = getattr(module, step)

    def step_then_pause(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        if not reached.is_set():
            reached.set()
            go_on.wait(WAIT)
        return result

    def writer_a() -> None:
        try:
            first()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            reached.set()
            connection.close()

    def writer_b() -> None:
        try:
            reached.wait(WAIT)
            second()
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    with mock.patch.object(module, step, step_then_pause):
        threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
        for thread in threads:
            thread.start()
        try:
            assert reached.wait(WAIT), f"{step} was never reached"
            for _ in range(WAIT * 100):  # polled, not timed
                if done.is_set() or someone_waits_on_a_lock():
                    break
                time.sleep(0.01)
        finally:
            go_on.set()
            for thread in threads:
                thread.join(WAIT)
    if errors:
        raise errors[0]
