"""An exercise can be recorded as taking the hip into none of the listed movements ("None of
these movements"), as distinct from none recorded. The shared library's movements are read
from each exercise's steps, so a library exercise with none (the gluteal squeeze) is marked
so here, as ``load_library`` marks it from now on; a clinic's own with none stays not
recorded until the clinic says otherwise."""

from typing import Any

from django.db import migrations, models


def mark_library(apps: Any, schema_editor: Any) -> None:
    Exercise = apps.get_model("exercises", "Exercise")
    Exercise.objects.filter(clinic__isnull=True, hip_movements=[]).update(hip_movements_none=True)


class Migration(migrations.Migration):
    dependencies = [("exercises", "0007_library_client_id")]

    operations = [
        migrations.AddField(
            model_name="exercise",
            name="hip_movements_none",
            field=models.BooleanField(
                default=False,
                help_text="Recorded as taking the hip into none of the listed movements. False "
                "with no hip_movements: not recorded (a clinic's exercise then needs an override "
                "reason while hip precautions are in force).",
            ),
        ),
        migrations.RunPython(mark_library, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="exercise",
            constraint=models.CheckConstraint(
                condition=models.Q(("hip_movements_none", False), ("hip_movements", []), _connector="OR"),
                name="exercise_no_movements_when_none",
            ),
        ),
    ]
