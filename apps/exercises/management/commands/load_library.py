from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.exercises.loading import DATA_DIR, LadderInUseError, LibraryDataError, library_load


class Command(BaseCommand):
    help = (
        "Load the shared exercise library, its EMG evidence and ladders from "
        "apps/exercises/data/ (idempotent; never touches a clinic's own rows; refuses, "
        "loading nothing, to change the levels of a ladder a program uses)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Load from this folder instead (to try edited files before committing them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = library_load(data_dir=Path(options["data_dir"]))
        except LibraryDataError as exc:
            raise CommandError(f"The library data is not valid: {exc}") from exc
        except LadderInUseError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = "Exercise library loaded." if report.changed else "Exercise library up to date."
        self.stdout.write(self.style.SUCCESS(verdict))
