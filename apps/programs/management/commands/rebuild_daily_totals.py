"""``manage.py rebuild_daily_totals``: recompute the daily totals of any patients and days.

The services keep the totals current; this is for repair and back-fill (after a bulk load
that bypassed the services, or to check a suspicion: a rebuild never changes a correct row).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.patients.models import Patient
from apps.programs.daily_totals import daily_totals_rebuild

# Patients per transaction for a clinic: a year of a few hundred patients is one short
# statement, and a long rebuild commits as it goes.
CHUNK = 500


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Dates look like 2026-01-31, not {value!r}") from exc


class Command(BaseCommand):
    help = "Recompute the daily totals (all patients and days unless narrowed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", type=int, action="append", help="patient id (repeatable)")
        parser.add_argument("--clinic", type=int, help="every patient of this clinic id")
        parser.add_argument("--from", dest="start", type=_day, help="first day, e.g. 2026-01-01")
        parser.add_argument("--to", dest="end", type=_day, help="last day, inclusive")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if start and end and end < start:
            raise CommandError("--to is before --from.")
        if options["patient"] and options["clinic"]:
            raise CommandError("Give --patient or --clinic, not both.")
        chunks = self._chunks(options["patient"], options["clinic"])
        done = 0
        for ids in chunks:
            with transaction.atomic():
                daily_totals_rebuild(patient_ids=ids, start=start, end=end)
            done += len(ids) if ids is not None else 0
        what = f"{done} patients" if done else "every patient"
        self.stdout.write(f"Daily totals rebuilt for {what}.")

    def _chunks(self, patients: list[int] | None, clinic: int | None) -> list[list[int] | None]:
        if patients:
            missing = set(patients) - set(
                Patient.objects.filter(pk__in=patients).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No patient with id {', '.join(map(str, sorted(missing)))}.")
            return [patients]
        if clinic is None:
            return [None]
        ids = list(
            Patient.objects.filter(clinic_id=clinic).order_by("pk").values_list("pk", flat=True)
        )
        if not ids:
            raise CommandError(f"Clinic {clinic} has no patients.")
        return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
