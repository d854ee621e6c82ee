"""Once a rebuild of the daily totals of patients with precautions ended early (after
patients 0006 moved their end dates back); now nothing: ``0025_daily_totals_rebuild``
rebuilds every patient's totals on the schema the rebuild is written for. Run here, the live
rebuild read columns later migrations add (as ``0010_daily_totals_backfill`` did)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0010_daily_totals_backfill"),
        ("patients", "0006_precautions_ended_early_keep_their_past"),
    ]

    operations: list[migrations.operations.base.Operation] = []
