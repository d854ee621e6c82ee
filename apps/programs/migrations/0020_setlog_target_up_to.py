"""Logged sets keep the top of their prescribed range (or the "up to N" of reps to fatigue).

Sets logged before this did not record it. Where a set's recorded dose is still the item's
(same sets, reps, hold and sides), the item's range is very likely the one the patient was
given, so it is copied; a set whose item has changed since keeps no range rather than a
guessed one."""

from typing import Any

from django.db import migrations, models
from django.db.models import Q


def backfill(apps: Any, schema_editor: Any) -> None:
    item_model = apps.get_model("programs", "ProgramItem")
    log_model = apps.get_model("programs", "SetLog")
    ranged = item_model.objects.filter(Q(reps_up_to__isnull=False) | Q(hold_up_to__isnull=False))
    for item in ranged.iterator():
        log_model.objects.filter(
            item_id=item.pk, target_sets=item.sets, target_reps=item.reps,
            target_hold_seconds=item.hold_seconds, target_per_side=item.per_side,
        ).update(target_reps_up_to=item.reps_up_to, target_hold_up_to=item.hold_up_to)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("programs", "0019_prompt_counted_from")]

    operations = [
        migrations.AddField(
            model_name="setlog",
            name="target_hold_up_to",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="setlog",
            name="target_reps_up_to",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
