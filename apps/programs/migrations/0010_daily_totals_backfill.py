"""Once the daily totals' backfill; now nothing: ``0025_daily_totals_rebuild`` builds them.

It ran the live rebuild (``apps.programs.daily_totals``), written for the latest schema,
against the schema of this point in the graph: on a database that had set logs before the
totals existed, migrating forward failed on columns later migrations add (the hold-back path
reads ``precaution_override_covers``, programs 0012). The file stays so the migration stays
applied where it ran; databases it ran on are rebuilt once more by 0025, which changes no
correct row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0009_daily_totals"),
        ("patients", "0005_hip_precautions"),
    ]

    operations: list[migrations.operations.base.Operation] = []
