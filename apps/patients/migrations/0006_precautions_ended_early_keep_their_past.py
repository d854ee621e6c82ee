"""Precautions ended early by hand used to stop applying to every day, the past included,
which changed what earlier days had prescribed. Now ending them moves their end date to the
day they were ended (in the patient's time zone): this gives the rows ended before the same
end date, so history reads as it was when those days were done."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations, models


def move_end_dates(apps, schema_editor):
    HipPrecaution = apps.get_model("patients", "HipPrecaution")
    ended = HipPrecaution.objects.filter(ended_at__isnull=False).select_related("patient")
    for precaution in ended.iterator():
        ended_at: datetime = precaution.ended_at
        day = ended_at.astimezone(ZoneInfo(precaution.patient.time_zone)).date()
        lifted_from = max(precaution.starts_on, day)
        if lifted_from < precaution.ends_on:
            precaution.ends_on = lifted_from
            precaution.save(update_fields=["ends_on"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_hip_precautions")]

    operations = [
        migrations.AlterField(
            model_name="hipprecaution",
            name="ended_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Ended early by hand (``ends_on`` was moved to that day).",
                null=True,
            ),
        ),
        migrations.RemoveConstraint(model_name="hipprecaution", name="precaution_ends_after_start"),
        migrations.AddConstraint(
            model_name="hipprecaution",
            constraint=models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on"))
                | models.Q(ended_at__isnull=False, ends_on=models.F("starts_on")),
                name="precaution_ends_after_start",
            ),
        ),
        migrations.RunPython(move_end_dates, migrations.RunPython.noop),
    ]
