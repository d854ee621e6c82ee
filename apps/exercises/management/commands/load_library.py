from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.exercises.loading import LibraryDataError, library_load


class Command(BaseCommand):
    help = (
        "Load the shared exercise library, its EMG evidence and ladders from "
        "apps/exercises/data/ (idempotent; never touches a clinic's own rows)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = library_load()
        except LibraryDataError as exc:
            raise CommandError(f"The library data is not valid: {exc}") from exc
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = "Exercise library loaded." if report.changed else "Exercise library up to date."
        self.stdout.write(self.style.SUCCESS(verdict))
