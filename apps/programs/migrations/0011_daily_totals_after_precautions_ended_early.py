"""Precautions ended early now keep the days before their end (patients 0006 moved their end
dates back): rebuild the daily totals of the patients who have such precautions, whose stored
past days were computed as if the precautions had never been."""

from typing import Any

from django.db import migrations


def rebuild(apps: Any, schema_editor: Any) -> None:
    HipPrecaution = apps.get_model("patients", "HipPrecaution")
    patient_ids = sorted(
        set(
            HipPrecaution.objects.filter(ended_at__isnull=False).values_list(
                "patient_id", flat=True
            )
        )
    )
    if not patient_ids:
        return
    # The live rebuild, as in 0010: it must agree with what the services write.
    from apps.programs.daily_totals import daily_totals_rebuild

    daily_totals_rebuild(patient_ids=patient_ids)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0010_daily_totals_backfill"),
        ("patients", "0006_precautions_ended_early_keep_their_past"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
