"""Build the daily totals for the set logs already stored (one INSERT … SELECT)."""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    # A new database has no logs to total: nothing to build, and the live code below (written
    # for the latest schema) is not run against this migration's older one.
    if not apps.get_model("programs", "SetLog").objects.exists():
        return
    # The live rebuild, not a frozen copy: it is one SQL statement over tables this
    # migration's dependencies create, and it must agree with what the services write.
    from apps.programs.daily_totals import daily_totals_rebuild

    daily_totals_rebuild()


class Migration(migrations.Migration):
    # The rebuild reads the patients' hip precautions (a day an exercise is held back by one
    # is not prescribed): their table must exist first, not by the luck of the order.
    dependencies = [
        ("programs", "0009_daily_totals"),
        ("patients", "0005_hip_precautions"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
