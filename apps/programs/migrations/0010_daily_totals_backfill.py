"""Once the daily totals' backfill; now it only marks them for ``0025_daily_totals_rebuild``.

It ran the live rebuild (``apps.programs.daily_totals``), written for the latest schema,
against the schema of this point in the graph: on a database that had set logs before the
totals existed, migrating forward failed on columns later migrations add (the hold-back path
reads ``precaution_override_covers``, programs 0012). The file stays so the migration stays
applied where it ran. Where it runs now, it empties the totals (there are none yet), and
0025, at the end of the graph, rebuilds a table it finds empty."""

from typing import Any

from django.db import migrations


def totals_need_rebuilding(apps: Any, schema_editor: Any) -> None:
    """Empty the totals (historical model, this point's schema): ``0025`` rebuilds every
    patient's when it finds none, and leaves a database that ran every rebuild alone."""
    total = apps.get_model("programs", "DailyTotal")
    total.objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0009_daily_totals"),
        ("patients", "0005_hip_precautions"),
    ]

    operations = [migrations.RunPython(totals_need_rebuilding, migrations.RunPython.noop)]
