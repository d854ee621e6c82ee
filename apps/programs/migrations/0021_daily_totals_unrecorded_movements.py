"""Once a rebuild of the daily totals of patients with precautions, after a clinic exercise
with no hip movements recorded became a conflict; now nothing: ``0025_daily_totals_rebuild``
rebuilds every patient's totals on the schema the rebuild is written for. Run here, the live
rebuild could read columns later migrations add (as ``0010_daily_totals_backfill`` did)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programs", "0020_setlog_target_up_to")]

    operations: list[migrations.operations.base.Operation] = []
