"""The load test's table and records (``make load``, bench/load_test.py)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.load_check import P95_BUDGET_MS, Step

ROOT = Path(__file__).resolve().parent.parent


def step_line(step: Step) -> str:
    from bench.report import median, percentile

    c = step.check
    return (
        f"| {step.patients} | {step.therapists} | {len(step.samples):,} | {step.per_second:.1f} "
        f"| {median(step.times()):.0f} | {step.p95:.0f} "
        f"| {median(step.server_ms):.0f} / {percentile(step.server_ms, 0.95):.0f} "
        f"| {step.errors} | {c.acked:,} "
        f"| {c.lost} / {c.duplicated} / {c.extra} | {c.unevaluated} "
        f"| {step.evaluated_after:.1f} | {'yes' if step.passed else '**no**'} |"
    )


TABLE_HEAD = (
    "| patients | therapists | requests | req/s | p50 ms | p95 ms | server p50 / p95 ms "
    "| errors | sets acked | lost / dup / extra | unevaluated | evaluated after s | passed |\n"
    "|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---|"
)


def per_endpoint(step: Step) -> str:
    from bench.report import median, percentile

    names = sorted({name for name, *_ in step.samples})
    lines = ["| request | count | p50 ms | p95 ms | errors |", "|---|---:|---:|---:|---:|"]
    for name in names:
        times = step.times(name)
        errors = sum(1 for n, _, ok, _ in step.samples if n == name and not ok)
        lines.append(
            f"| {name} | {len(times)} | {median(times):.0f} "
            f"| {percentile(times, 0.95):.0f} | {errors} |"
        )
    return "\n".join(lines)


def records(steps: Iterable[Step]) -> list[Any]:
    from bench.report import Record, median, percentile

    found = []
    best = 0
    for step in steps:
        size = f"{step.patients} patients"
        met = step.p95 <= P95_BUDGET_MS
        c = step.check
        found += [
            Record("load", size, "p50 ms", median(step.times())),
            Record("load", size, "p95 ms", step.p95, budget=f"≤ {P95_BUDGET_MS:.0f} ms", met=met),
            Record("load", size, "requests/s", step.per_second),
            Record("load", size, "server p95 ms (gunicorn)", percentile(step.server_ms, 0.95)),
            Record("load", size, "errors", step.errors, budget="0", met=not step.errors),
            Record("load", size, "sets acknowledged", step.check.acked),
            Record(
                "load",
                size,
                "sets lost, duplicated, extra or unevaluated",
                c.lost + c.duplicated + c.extra + c.unevaluated,
                budget="0",
                met=c.ok,
            ),
            Record("load", size, "s until every set evaluated", step.evaluated_after),
        ]
        if step.passed:
            best = step.patients
    found.append(Record("load", "all steps", "most concurrent patients within budget", best))
    return found


def write_results(new: list[Any]) -> None:
    """``bench/results.json`` with the load records replaced and every other record kept."""
    from bench.report import RESULTS_JSON, _json

    kept = []
    if RESULTS_JSON.exists():
        kept = [r for r in json.loads(RESULTS_JSON.read_text("utf-8")) if r["scenario"] != "load"]
    RESULTS_JSON.write_text(
        json.dumps(kept + [_json(r) for r in new], indent=2, default=str) + "\n", "utf-8"
    )


def write_markdown(steps: list[Step], info: dict[str, str], args: argparse.Namespace) -> Path:
    header = ", ".join(f"{key} {value}" for key, value in info.items())
    text = [
        f"Load test {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}. Machine: {header}.",
        f"Settings: DJANGO_ENV=production, gunicorn {args.workers} sync workers, Celery worker "
        f"2 processes and beat; {args.seconds} s a step, think time {args.think} s.",
        "",
        TABLE_HEAD,
        *(step_line(step) for step in steps),
        "",
    ]
    for step in steps:
        text += [f"Step of {step.patients} patients:", "", per_endpoint(step), ""]
    path = ROOT / "var" / "bench" / "load.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(text), encoding="utf-8")
    return path
