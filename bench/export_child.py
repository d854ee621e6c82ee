"""One export in a process of its own, so its peak memory is its own: prints one JSON line.

    python -m bench.export_child app  --kind summary|detail --format csv|xlsx --admin ID ...
    python -m bench.export_child copy --kind summary|detail --clinic ID ...

``app`` runs the app's ``write_report``; ``copy`` runs the floor, PostgreSQL's
``COPY (the same query) TO STDOUT``. Both write into the same sink, which counts bytes and
lines and keeps nothing (an Excel file goes to a temporary file: a zip needs to seek).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date


class Sink:
    """A write-only binary file that counts what it is given."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0

    def write(self, data: bytes | memoryview) -> int:
        chunk = bytes(data)
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        return len(chunk)

    def flush(self) -> None:
        return None


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["app", "copy"])
    parser.add_argument("--kind", choices=["summary", "detail"], required=True)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--admin", type=int)
    parser.add_argument("--clinic", type=int, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    return parser.parse_args()


def _app(args: argparse.Namespace) -> dict[str, float]:
    from apps.clinics.models import User
    from apps.reports.exports.filters import ReportFilters
    from apps.reports.exports.write import write_report

    user = User.objects.select_related("clinic").get(pk=args.admin)
    filters = ReportFilters(clinic_id=args.clinic, start=args.start, end=args.end)
    sink = Sink()
    started = time.perf_counter()
    if args.format == "xlsx":
        with tempfile.TemporaryFile() as out:
            write_report(user=user, filters=filters, kind=args.kind, format="xlsx", out=out)
            sink.bytes = out.tell()
    else:
        write_report(user=user, filters=filters, kind=args.kind, format="csv", out=sink)  # type: ignore[arg-type]
    return {"seconds": time.perf_counter() - started, "bytes": sink.bytes, "lines": sink.lines}


def _copy(args: argparse.Namespace) -> dict[str, float]:
    from django.db import connection

    from bench.floors import DETAIL_SQL, REPORT_SQL

    query = REPORT_SQL if args.kind == "summary" else DETAIL_SQL
    params = {"clinic": args.clinic, "start": args.start, "end": args.end}
    sink = Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        statement = raw.mogrify(query, params)
        with raw.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            for data in copy:
                sink.write(data)
    return {"seconds": time.perf_counter() - started, "bytes": sink.bytes, "lines": sink.lines}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not ``getrusage``'s ``ru_maxrss``: Linux keeps that across ``execve``, so a child would
    report its parent's peak if the parent was bigger.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    result = _app(args) if args.mode == "app" else _copy(args)
    result["max_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
