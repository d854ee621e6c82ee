from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the shared exercise library (filled in by the exercise-library work)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("The exercise library loader is not written yet.")
