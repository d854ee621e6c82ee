"""``manage.py seed_scale``: a clinic-scale data set for ``make bench`` (PostgreSQL only)."""

from __future__ import annotations

import time as clock
from datetime import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.clinics.models import Clinic
from apps.core.text import ONE_LINE_MESSAGE, is_one_line
from apps.devdata.scale import PRESETS, ScaleSpec, scale_clear, scale_seed
from apps.programs.models import ALL_WEEKDAYS


def _time_of_day(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--reminder-time must look like 18:00, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Generate a clinic-scale data set inside PostgreSQL: by default 10,000 patients over "
        "365 days (about 15 million set logs); --small is 1,000 patients over 90 days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, help="default 10,000 (1,000 with --small)")
        parser.add_argument("--days", type=int, help="days of history; default 365 (90)")
        parser.add_argument("--small", action="store_true", help="the quick preset")
        parser.add_argument("--clinic", default="Scale clinic", help="name of the new clinic")
        parser.add_argument("--panel", type=int, default=200, help="patients per therapist")
        parser.add_argument("--adherence", type=float, default=0.7)
        parser.add_argument("--time-zone", help="one zone for every patient (default: a mix)")
        parser.add_argument("--reminder-time", type=_time_of_day, help="e.g. 18:00")
        parser.add_argument(
            "--every-day", action="store_true", help="schedule every program on every weekday"
        )
        parser.add_argument("--seed", type=float, default=0.42, help="between -1 and 1")
        parser.add_argument(
            "--replace", action="store_true", help="delete a clinic of the same name first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
        spec = self._spec(options)
        existing = Clinic.objects.filter(name=spec.clinic_name).first()
        if existing is not None:
            if not options["replace"]:
                raise CommandError(
                    f"A clinic named {spec.clinic_name!r} exists; pass --replace or --clinic"
                )
            started = clock.perf_counter()
            try:
                scale_clear(clinic=existing)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"removed the old {spec.clinic_name!r} in {self._since(started)}")
        started = clock.perf_counter()
        result = scale_seed(spec=spec, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"{spec.clinic_name}: {result.patients:,} patients, {result.items:,} items, "
                f"{result.set_logs:,} set logs in {self._since(started)}"
            )
        )

    def _spec(self, options: dict[str, Any]) -> ScaleSpec:
        patients, days = PRESETS["small" if options["small"] else "default"]
        patients = options["patients"] if options["patients"] is not None else patients
        days = options["days"] if options["days"] is not None else days
        if patients < 1 or days < 0 or options["panel"] < 1:
            raise CommandError("--patients and --panel must be at least 1, --days at least 0")
        if not 0 < options["adherence"] <= 1:
            raise CommandError("--adherence must be above 0 and at most 1")
        if not is_one_line(options["clinic"]):  # the name goes into email subjects
            raise CommandError(f"--clinic: {ONE_LINE_MESSAGE}")
        return ScaleSpec(
            patients=patients,
            days=days,
            clinic_name=options["clinic"],
            panel=options["panel"],
            adherence=options["adherence"],
            time_zone=options["time_zone"],
            reminder_time=options["reminder_time"],
            weekdays=ALL_WEEKDAYS if options["every_day"] else None,
            seed=options["seed"],
        )

    @staticmethod
    def _since(started: float) -> str:
        return f"{clock.perf_counter() - started:.1f} s"
