"""The scenarios of ``make bench``; each returns its records for both sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.clinics.models import Clinic
from bench.data import Cohort


@dataclass
class Context:
    clinics: dict[str, Clinic]
    cohorts: dict[str, Cohort]
    small: bool
    port: int = 0
    notes: list[str] = field(default_factory=list)

    def log(self, message: str, *args: Any) -> None:
        print(message % args if args else message, flush=True)
