"""Clinic exports over a year for all patients: the adherence report (CSV and Excel) and the
detailed export (one CSV row per logged set), each in a process of its own, against
PostgreSQL's ``COPY (the same query) TO STDOUT`` in a process of its own.

Sizes: the full clinic (10,000 patients) and the tenth (1,000). Budgets: the report ≤ 2x its
COPY; the detailed export ≥ 500,000 rows a second and ≤ 2x its COPY; peak memory under
150 MB and the same at both sizes (full ≤ 1.2x tenth).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.clinics.models import Role, User
from bench.report import Record
from bench.scenarios import Context
from bench.server import ROOT

REPORT_RATIO = 2.0
DETAIL_ROWS_PER_SECOND = 500_000
DETAIL_RATIO = 2.0
MEMORY_MB = 150.0
MEMORY_GROWTH = 1.2


def _child(*args: str) -> dict[str, Any]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-m", "bench.export_child", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"export {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _exports(ctx: Context, key: str) -> dict[str, dict[str, Any]]:
    clinic = ctx.clinics[key]
    admin = User.objects.get(clinic=clinic, role=Role.ADMIN)
    end = timezone.localdate()
    period = [f"--clinic={clinic.pk}", f"--start={end - timedelta(days=364)}", f"--end={end}"]
    runs = {
        "report copy": ("copy", "--kind=summary"),
        "report csv": ("app", "--kind=summary", "--format=csv"),
        "report xlsx": ("app", "--kind=summary", "--format=xlsx"),
        "detail copy": ("copy", "--kind=detail"),
        "detail csv": ("app", "--kind=detail", "--format=csv"),
    }
    results = {}
    for name, args in runs.items():
        ctx.log("exports, %s patients: %s", clinic.patients.count(), name)
        extra = [f"--admin={admin.pk}"] if args[0] == "app" else []
        results[name] = _child(*args, *period, *extra)
    return results


def _size_records(ctx: Context, size: str, found: dict[str, dict[str, Any]]) -> list[Record]:
    report_floor = found["report copy"]["seconds"]
    detail_floor = found["detail copy"]["seconds"]
    rows = found["detail copy"]["lines"] - 1
    if found["detail csv"]["lines"] - 1 != rows:
        ctx.notes.append(
            f"detailed export {size}: {found['detail csv']['lines'] - 1:,} rows, COPY {rows:,}"
        )
    records = []
    for name, label in (
        ("report csv", "adherence report CSV"),
        ("report xlsx", "adherence report Excel"),
    ):
        seconds = found[name]["seconds"]
        records.append(
            Record(
                "exports",
                size,
                f"{label}: s",
                seconds,
                report_floor,
                budget=f"≤ {REPORT_RATIO:g}x COPY",
                met=seconds <= REPORT_RATIO * report_floor,
            )
        )
    seconds = found["detail csv"]["seconds"]
    rate = rows / seconds if seconds else 0.0
    records += [
        Record(
            "exports",
            size,
            "detailed export CSV: s",
            seconds,
            detail_floor,
            budget=f"≤ {DETAIL_RATIO:g}x COPY",
            met=seconds <= DETAIL_RATIO * detail_floor,
        ),
        Record(
            "exports",
            size,
            "detailed export CSV: rows/s",
            rate,
            rows / detail_floor,
            budget=f"≥ {DETAIL_ROWS_PER_SECOND:,}",
            met=rate >= DETAIL_ROWS_PER_SECOND,
        ),
    ]
    for name, label in (
        ("report csv", "adherence report CSV"),
        ("report xlsx", "adherence report Excel"),
        ("detail csv", "detailed export CSV"),
    ):
        floor = found["report copy" if name.startswith("report") else "detail copy"]
        records.append(
            Record(
                "exports",
                size,
                f"{label}: peak MB",
                found[name]["max_rss_mb"],
                floor["max_rss_mb"],
                budget=f"< {MEMORY_MB:g} MB",
                met=found[name]["max_rss_mb"] < MEMORY_MB,
            )
        )
    return records


def _same_memory(records: list[Record], full: str, tenth: str) -> None:
    """Peak memory must not grow with the data: full ≤ 1.2x tenth, for each export."""
    by_key = {(r.size, r.metric): r for r in records if r.metric.endswith("peak MB")}
    for (size, metric), record in by_key.items():
        if size != full:
            continue
        small = by_key[(tenth, metric)].value
        grows = record.value > MEMORY_GROWTH * small
        record.budget += f"; ≤ {MEMORY_GROWTH:g}x the tenth ({small:.0f} MB)"
        record.met = bool(record.met) and not grows


def _check_report(ctx: Context, key: str) -> None:
    """The report's patient rows against the floor's, value by value (notes any difference)."""
    from django.db import connection

    from apps.reports.exports.build import build_report
    from apps.reports.exports.filters import ReportFilters
    from bench.floors import REPORT_SQL

    clinic = ctx.clinics[key]
    admin = User.objects.select_related("clinic").get(clinic=clinic, role=Role.ADMIN)
    end = timezone.localdate()
    start = end - timedelta(days=364)
    report = build_report(user=admin, filters=ReportFilters(clinic.pk, start, end))
    with connection.cursor() as cursor:
        cursor.execute(REPORT_SQL, {"clinic": clinic.pk, "start": start, "end": end})
        floor = cursor.fetchall()
    app = [
        (r.patient, r.therapist, r.programs, r.scheduled_days, r.prescribed, r.completed,
         r.adherence, r.active_days, r.complete_days, r.last_activity, r.avg_pain, r.max_pain,
         r.progressions)
        for r in report.rows
    ]  # fmt: skip
    wrong = sum(1 for a, b in zip(app, floor, strict=False) if tuple(a) != tuple(b))
    wrong += abs(len(app) - len(floor))
    if wrong:
        ctx.notes.append(f"adherence report ({key}): {wrong} patient rows differ from the floor")


def run(ctx: Context) -> list[Record]:
    records: list[Record] = []
    sizes = []
    for key in ("full", "tenth"):
        cohort = ctx.cohorts[key]
        size = f"{cohort.patients:,} patients x {cohort.days} d"
        sizes.append(size)
        records += _size_records(ctx, size, _exports(ctx, key))
    _same_memory(records, *sizes)
    _check_report(ctx, "tenth")
    return records
