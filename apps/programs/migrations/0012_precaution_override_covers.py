"""An override reason now covers the conflicts it was given for (``precaution_override_covers``).

Reasons given before this migration recorded no such thing: each is taken to cover every
conflict its item's exercises (a ladder's: every level) have with the patient's precautions
as they stand, which is what the app allowed until now, so no exercise a patient has today
disappears with the upgrade. Precautions set from now on conflict afresh.
"""

from typing import Any

from django.db import migrations, models

# The approaches' ruled-out movement sets as they stood when this migration was written
# (apps.patients.models.APPROACH_RULES): a migration must not change with later code.
APPROACH_RULES = {
    "posterior": (("flexion_beyond_90",), ("adduction_past_midline",), ("internal_rotation",)),
    "anterior": (("extension", "external_rotation"),),
}


def _rules(precaution: Any) -> list[tuple[str, ...]]:
    if precaution.kind == "custom":
        return [(movement,) for movement in precaution.movements]
    return [tuple(rule) for rule in APPROACH_RULES.get(precaution.kind, ())]


def backfill(apps: Any, schema_editor: Any) -> None:
    ProgramItem = apps.get_model("programs", "ProgramItem")
    LadderLevel = apps.get_model("exercises", "LadderLevel")
    HipPrecaution = apps.get_model("patients", "HipPrecaution")
    items = ProgramItem.objects.exclude(precaution_override="").select_related(
        "program", "exercise"
    )
    for item in items.iterator():
        if item.ladder_id is not None:
            levels = LadderLevel.objects.filter(ladder_id=item.ladder_id).select_related("exercise")
            exercises = [level.exercise for level in levels]
        else:
            exercises = [item.exercise] if item.exercise_id else []
        covers = set()
        for precaution in HipPrecaution.objects.filter(patient_id=item.program.patient_id):
            for rule in _rules(precaution):
                for exercise in exercises:
                    if set(rule) <= set(exercise.hip_movements or []):
                        covers.add(f"{precaution.pk}/{exercise.pk}/{'+'.join(sorted(rule))}")
        item.precaution_override_covers = sorted(covers)
        item.save(update_fields=["precaution_override_covers"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_daily_totals_after_precautions_ended_early"),
        ("patients", "0007_today_version"),
        ("exercises", "0006_exercise_dose_ranges_and_fatigue"),
    ]

    operations = [
        migrations.AddField(
            model_name="programitem",
            name="precaution_override_covers",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
