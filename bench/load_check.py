"""The load test's verdicts (``make load``, bench/load_test.py): what the database holds of the
sets the phones sent, and when a step passes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

P95_BUDGET_MS = 200.0


@dataclass
class LogCheck:
    """What the database holds of the sets a step sent (all counts of client ids)."""

    acked: int = 0
    lost: int = 0  # answered 2xx, not in the database
    duplicated: int = 0  # in the database more than once
    extra: int = 0  # in the clinic since the step began, never sent
    unevaluated: int = 0  # saved, the worker has not evaluated it yet

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.extra or self.unevaluated)


def log_check(*, clinic_id: int, since: datetime, sent: set[str], acked: set[str]) -> LogCheck:
    """Count, by ``client_id``, the clinic's sets that were acknowledged or saved since
    ``since``: the lost, duplicated, extra and not yet evaluated ones."""
    from django.db.models import Count, Q

    from apps.programs.models import SetLog

    rows = (
        SetLog.objects.filter(patient__clinic_id=clinic_id)
        .filter(Q(client_id__in=sorted(acked)) | Q(logged_at__gte=since))
        .values("client_id")
        .annotate(n=Count("id"), evaluated=Count("evaluated_at"))
    )
    found = {str(row["client_id"]): row for row in rows}
    return LogCheck(
        acked=len(acked),
        lost=len(acked - found.keys()),
        duplicated=sum(1 for row in found.values() if row["n"] > 1),
        extra=len(found.keys() - sent),
        unevaluated=sum(1 for row in found.values() if row["evaluated"] < row["n"]),
    )


@dataclass
class Step:
    patients: int
    therapists: int
    seconds: float = 0.0
    samples: list[tuple[str, float, bool, int]] = field(default_factory=list)
    ramp_errors: int = 0  # requests that failed while the users were being started
    server_ms: list[float] = field(default_factory=list)  # gunicorn's own time, whole step
    check: LogCheck = field(default_factory=LogCheck)
    evaluated_after: float = math.nan  # seconds from the step's end to the last evaluation
    questionnaires: int = 0

    def times(self, name: str | None = None) -> list[float]:
        return [ms for n, ms, _, _ in self.samples if name is None or n == name]

    @property
    def errors(self) -> int:
        return self.ramp_errors + sum(1 for *_, ok, _ in self.samples if not ok)

    @property
    def per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        from bench.report import percentile

        return percentile(self.times(), 0.95)

    @property
    def passed(self) -> bool:
        return (
            bool(self.samples) and self.p95 <= P95_BUDGET_MS and not self.errors and (self.check.ok)
        )
