"""Build the daily totals for the set logs already stored (one INSERT … SELECT)."""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    # The live rebuild, not a frozen copy: it is one SQL statement over tables this
    # migration's dependencies create, and it must agree with what the services write.
    from apps.programs.daily_totals import daily_totals_rebuild

    daily_totals_rebuild()


class Migration(migrations.Migration):
    dependencies = [("programs", "0009_daily_totals")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
