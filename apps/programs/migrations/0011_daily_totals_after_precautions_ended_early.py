"""Once a rebuild of the daily totals of patients with precautions ended early (after
patients 0006 moved their end dates back); now it only empties the totals, which
``0025_daily_totals_rebuild`` then rebuilds on the schema the rebuild is written for. Run
here, the live rebuild read columns later migrations add (as ``0010_daily_totals_backfill``
did). A database that ran it already is left alone."""

from typing import Any

from django.db import migrations


def totals_need_rebuilding(apps: Any, schema_editor: Any) -> None:
    """Empty the totals (historical model, this point's schema): ``0025`` rebuilds every
    patient's when it finds none, and leaves a database that ran every rebuild alone."""
    total = apps.get_model("programs", "DailyTotal")
    total.objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0010_daily_totals_backfill"),
        ("patients", "0006_precautions_ended_early_keep_their_past"),
    ]

    operations = [migrations.RunPython(totals_need_rebuilding, migrations.RunPython.noop)]
