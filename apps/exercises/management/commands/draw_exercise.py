from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from reportlab.graphics import renderPDF

from apps.exercises.illustrations import PoseDataError, illustration_svg
from apps.exercises.illustrations.data import load_poses
from apps.exercises.illustrations.pdf import drawing
from apps.exercises.illustrations.scene import picture


class Command(BaseCommand):
    help = (
        "Check apps/exercises/data/poses.toml and draw exercises to SVG (open it in a browser) "
        "and PDF (as the handout prints it), to review a corrected pose."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="*", help="exercise keys (default: all)")
        parser.add_argument("--out", default="var/drawings", help="folder for the files")
        parser.add_argument("--check", action="store_true", help="only check the poses file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            specs = load_poses()
        except PoseDataError as exc:
            raise CommandError(f"poses.toml is not valid: {exc}") from exc
        if options["check"]:
            self.stdout.write(self.style.SUCCESS(f"poses.toml is valid ({len(specs)} exercises)."))
            return
        keys = options["keys"] or list(specs)
        unknown = [key for key in keys if key not in specs]
        if unknown:
            raise CommandError(f"No poses for: {', '.join(unknown)}")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for key in keys:
            (out / f"{key}.svg").write_text(illustration_svg(key), encoding="utf-8")
            renderPDF.drawToFile(drawing(picture(specs[key]), width=400), str(out / f"{key}.pdf"))
            self.stdout.write(f"  {out / key}.svg and .pdf")
        self.stdout.write(self.style.SUCCESS(f"Drew {len(keys)} exercise(s)."))
