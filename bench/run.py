"""``make bench``: seed (or reuse) the clinic-scale data set, run every scenario at full size
and at a tenth, print the table and write ``bench/results.json`` and ``bench/results.md``.

    python -m bench.run [--small] [--only today,dashboard,ingest,exports,fanout,load]

``load`` (the load test, ``make load``: bench/load_test.py) runs only when named: it starts
its own production-like processes on a clinic of its own and takes about ten minutes.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable

SCENARIOS = ("today", "dashboard", "ingest", "exports", "fanout")
ON_REQUEST = ("load",)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--small", action="store_true", help="a tenth of the data (a quick try)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SCENARIOS) - set(ON_REQUEST)
    if unknown:
        parser.error(
            f"unknown scenario(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(SCENARIOS + ON_REQUEST)}"
        )
    return args


def _setup() -> str:
    """Django on the caller's PostgreSQL, migrated; returns the server version."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs DATABASE_URL=postgres://... (and REDIS_URL=redis://...)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("make bench needs REDIS_URL=redis://... for the reminder fan-out")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    # The server serves the collected files: without them the page weight would miss its CSS
    # and JavaScript (a 404 each).
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _runner(name: str) -> Callable[..., list]:
    module = importlib.import_module(f"bench.scenarios.{name}")
    return module.run


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    load = "load" in args.only
    args.only = [name for name in args.only if name != "load"]
    code = _scenarios(args) if args.only else 0
    if load and not code:
        # A process of its own: the load test signs its simulated users in under a SECRET_KEY
        # it chooses before Django reads its settings, and the scenarios have read them here
        # already (its sessions would then not be valid for its servers: every request 401).
        code = subprocess.call([sys.executable, "-m", "bench.load_test"])
    return code


def _scenarios(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    version = _setup()
    from bench import report, server
    from bench.data import cohorts, ensure_data
    from bench.scenarios import Context

    info = report.machine(version)
    wanted = cohorts(small=args.small)
    ctx = Context(clinics=ensure_data(wanted), cohorts=wanted, small=args.small)
    records = []
    web = [name for name in args.only if name in ("today", "dashboard", "ingest")]
    if web:
        with server.gunicorn(workers=2) as port:
            ctx.port = port
            for name in web:
                records += _runner(name)(ctx)
    for name in args.only:
        if name not in web:
            records += _runner(name)(ctx)
    seconds = time.perf_counter() - started
    print()
    print(report.table(records))
    for note in ctx.notes:
        print(f"- {note}")
    report.write(records, info, seconds, ctx.notes)
    print(f"\nwrote {report.RESULTS_JSON} and {report.RESULTS_MD} ({seconds / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
