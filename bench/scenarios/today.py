"""The patient's today page under load, against a bare view behind the same middleware.

Sizes: patients with a year of history, and patients of the same clinic who started a tenth
of the period ago. Every exercise has pictures: the drawing, and the clinic's own photo and
video (``bench/pictures.py``). Budgets: median server time ≤ 5 ms and ≤ 2.5x the bare view;
the same number of queries at both sizes and on every request; the page's weight with its
pictures (what a phone downloads for Today to work offline) ≤ 600 KB, the HTML ≤ 60 KB.
"""

from __future__ import annotations

from apps.clinics.models import User
from apps.programs.models import ALL_WEEKDAYS, Program
from bench import load
from bench.data import session_for
from bench.pictures import ensure_pictures, page_weight
from bench.report import Record, median, percentile, usual
from bench.scenarios import Context

PATIENTS = 100
BUDGET_MS = 5.0
BUDGET_RATIO = 2.5
BUDGET_WEIGHT_KB = 600
BUDGET_HTML_KB = 60


def _users(ctx: Context, *, recent: bool) -> list[User]:
    """Patients with something to do today (scheduled every day), the long-standing ones or
    the recent ones, so every request renders the full page."""
    clinic = ctx.clinics["full"]
    programs = Program.objects.filter(clinic=clinic, is_template=False, weekdays=ALL_WEEKDAYS)
    first = min(day for day in programs.values_list("start_date", flat=True) if day)
    chosen = programs.exclude(start_date=first) if recent else programs.filter(start_date=first)
    ids = chosen.order_by("patient_id").values_list("patient__user_id", flat=True)[:PATIENTS]
    return list(User.objects.filter(pk__in=list(ids)))


def _requests(path: str, cookies: list[str], count: int) -> list[load.Request]:
    return [
        load.Request("GET", path, {"Cookie": f"sessionid={cookies[n % len(cookies)]}"})
        for n in range(count)
    ]


def _measure(ctx: Context, path: str, cookies: list[str], count: int) -> load.LoadResult:
    load.run(port=ctx.port, requests=_requests(path, cookies, 50), threads=2)  # warm up
    result = load.run(port=ctx.port, requests=_requests(path, cookies, count), threads=2)
    bad = {status: n for status, n in result.statuses().items() if status != 200}
    if bad:
        raise RuntimeError(f"{path} answered {bad}")
    return result


def _records(size: str, page: load.LoadResult, bare: load.LoadResult) -> list[Record]:
    page_ms = [s.server_ms for s in page.samples]
    bare_ms = [s.server_ms for s in bare.samples]
    med, floor = median(page_ms), median(bare_ms)
    return [
        Record(
            "today page",
            size,
            "median server ms",
            med,
            floor,
            budget=f"≤ {BUDGET_MS:g} ms, ≤ {BUDGET_RATIO:g}x floor",
            met=med <= BUDGET_MS and med <= BUDGET_RATIO * floor,
        ),
        Record(
            "today page",
            size,
            "p95 server ms",
            percentile(page_ms, 0.95),
            percentile(bare_ms, 0.95),
        ),
        Record("today page", size, "requests/s (2 threads)", page.per_second, bare.per_second),
    ]


def _weight(ctx: Context, size: str, cookie: str) -> list[Record]:
    html, pictures, static = page_weight(ctx.port, cookie)
    total_kb = (html + pictures + static) / 1024
    return [
        Record(
            "today page",
            size,
            "page weight KB with pictures (HTML + CSS/JS + pictures, no video)",
            total_kb,
            budget=f"≤ {BUDGET_WEIGHT_KB} KB",
            met=total_kb <= BUDGET_WEIGHT_KB,
        ),
        Record(
            "today page",
            size,
            "HTML KB",
            html / 1024,
            budget=f"≤ {BUDGET_HTML_KB} KB",
            met=html / 1024 <= BUDGET_HTML_KB,
        ),
        Record("today page", size, "pictures KB (drawings, photos, posters)", pictures / 1024),
    ]


def run(ctx: Context) -> list[Record]:
    count = 300 if ctx.small else 1000
    records: list[Record] = []
    exercises = ensure_pictures(ctx.clinics["full"])
    ctx.log("today page: %s exercises with the clinic's photo and video", exercises)
    queries: dict[str, set[int]] = {}
    full_days = ctx.cohorts["full"].days
    for label, recent in (
        (f"{full_days} days of history", False),
        (f"{full_days // 10} days of history", True),
    ):
        cookies = [session_for(user) for user in _users(ctx, recent=recent)]
        ctx.log("today page, %s: %s requests", label, count)
        page = _measure(ctx, "/today/", cookies, count)
        bare = _measure(ctx, "/bench/bare/", cookies, count)
        records += _records(label, page, bare)
        records += _weight(ctx, label, cookies[0])
        queries[label] = {usual(page)}
        records.append(Record("today page", label, "queries per request", usual(page), usual(bare)))
    constant = len(set().union(*queries.values())) == 1
    for record in records:
        if record.metric == "queries per request":
            record.budget = "same at both sizes"
            record.met = constant
    return records
