"""``manage.py audit_verify``: check the audit log's hash chain from the first entry.

Exits 0 when the chain is intact, and 1 naming the first broken entry when any entry was
edited, removed or inserted out of order."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if report.first_break is not None:
            raise CommandError(
                f"{report.first_break} ({report.entries} entries before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.entries} entries."))
