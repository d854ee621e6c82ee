"""Figures, their floors and budgets: the table ``make bench`` prints and the files it writes."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS_JSON = Path(__file__).resolve().parent / "results.json"
RESULTS_MD = Path(__file__).resolve().parent.parent / "var" / "bench" / "results.md"


@dataclass
class Record:
    """One figure. ``ratio`` is value ÷ floor; ``met`` is None when there is no budget."""

    scenario: str
    size: str
    metric: str
    value: float
    floor: float | None = None
    ratio: float | None = None
    budget: str = ""
    met: bool | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.ratio is None and self.floor:
            self.ratio = self.value / self.floor


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def usual(result: Any) -> int:
    """The most common query count of a load run's samples.

    A staff session records activity once a minute (one more query now and then): the usual
    count is the page's own."""
    return int(statistics.mode(sample.queries for sample in result.samples))


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _met(record: Record) -> str:
    return {True: "yes", False: "**no**", None: ""}[record.met]


def table(records: Sequence[Record]) -> str:
    """A Markdown table (also readable in a terminal)."""
    lines = [
        "| scenario | size | metric | value | floor | ratio | budget | met |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for r in records:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        lines.append(
            f"| {r.scenario} | {r.size} | {r.metric} | {_fmt(r.value)} | {_fmt(r.floor)} "
            f"| {ratio} | {r.budget} | {_met(r)} |"
        )
    return "\n".join(lines)


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine(postgres_version: str) -> dict[str, str]:
    """What the figures came from: cores, memory, CPU model, PostgreSQL, Python."""
    memory = ""
    cpu = ""
    with open("/proc/meminfo") as meminfo:
        kilobytes = int(meminfo.readline().split(":")[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":")[1].strip() for line in cpuinfo if "model name" in line), "")
    return {
        "nproc": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "postgresql": postgres_version,
        "python": platform.python_version(),
        "load_before": _command("cat", "/proc/loadavg"),
    }


def write(
    records: Sequence[Record], info: dict[str, str], seconds: float, notes: Sequence[str] = ()
) -> None:
    RESULTS_JSON.write_text(
        json.dumps(_kept(records) + [_json(r) for r in records], indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    header = ", ".join(f"{key} {value}" for key, value in info.items())
    RESULTS_MD.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_MD.write_text(
        f"Machine: {header}. Whole run: {seconds / 60:.1f} min.\n\n{table(records)}\n"
        + "".join(f"\n- {note}" for note in notes or ["no correctness check reported a difference"])
        + "\n",
        encoding="utf-8",
    )


def _kept(records: Sequence[Record]) -> list[dict[str, Any]]:
    """The file's records of the scenarios this run did not measure (``--only today``
    replaces the Today records and keeps the rest; ``make load`` writes its own apart)."""
    if not RESULTS_JSON.exists():
        return []
    measured = {record.scenario for record in records}
    found = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    return [record for record in found if record.get("scenario") not in measured]


def _json(record: Record) -> dict[str, object]:
    data = asdict(record)
    for key in ("value", "floor", "ratio"):
        if isinstance(data[key], float):
            data[key] = None if math.isnan(data[key]) else round(data[key], 4)
    return data
