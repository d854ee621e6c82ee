"""SetLog moves from the patients app to programs: the model only, never the data.

The table keeps its name (``patients_setlog``), so this migration changes Django's idea of the
models and nothing in the database; patients 0003 then forgets its own copy.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

SET_LOG = migrations.CreateModel(
    name="SetLog",
    fields=[
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
        ("client_id", models.UUIDField(unique=True)),
        ("performed_on", models.DateField(help_text="The patient's local date of the set.")),
        ("logged_at", models.DateTimeField(default=django.utils.timezone.now)),
        ("set_number", models.PositiveSmallIntegerField(default=1)),
        ("side", models.CharField(choices=[("left", "Left"), ("right", "Right"), ("both", "Both / not sided")], default="both", max_length=8)),
        ("reps", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("hold_seconds", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("pain", models.PositiveSmallIntegerField()),
        ("difficulty", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("note", models.CharField(blank=True, max_length=500)),
        ("ladder_level", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("target_sets", models.PositiveSmallIntegerField()),
        ("target_reps", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("target_hold_seconds", models.PositiveSmallIntegerField(blank=True, null=True)),
        ("target_per_side", models.BooleanField(default=False)),
        ("evaluated_at", models.DateTimeField(blank=True, null=True)),
        ("exercise", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="set_logs", to="exercises.exercise")),
        ("item", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="set_logs", to="programs.programitem")),
        ("patient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="set_logs", to="patients.patient")),
    ],
    options={
        "db_table": "patients_setlog",
        "ordering": ["performed_on", "logged_at"],
        "indexes": [
            models.Index(fields=["patient", "performed_on"], name="patients_se_patient_a7d395_idx"),
            models.Index(fields=["item", "performed_on"], name="patients_se_item_id_32c9b4_idx"),
            models.Index(condition=models.Q(("evaluated_at", None)), fields=["logged_at"], name="setlog_unevaluated"),
        ],
        "constraints": [
            models.CheckConstraint(condition=models.Q(("pain__lte", 10)), name="setlog_pain_0_10"),
            models.CheckConstraint(condition=models.Q(("reps__isnull", True), ("reps__lte", 200), _connector="OR"), name="setlog_reps_0_200"),
            models.CheckConstraint(condition=models.Q(("reps__isnull", False), ("hold_seconds__isnull", False), _connector="OR"), name="setlog_has_reps_or_hold"),
            models.CheckConstraint(condition=models.Q(("difficulty__isnull", True), models.Q(("difficulty__gte", 1), ("difficulty__lte", 5)), _connector="OR"), name="setlog_difficulty_1_5"),
        ],
    },
)


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0001_initial"),
        ("patients", "0002_initial"),
        ("programs", "0002_open_prompts_by_patient"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[SET_LOG], database_operations=[]),
        # The prompt's foreign key keeps pointing at the same table: state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="progressionprompt",
                    name="triggered_by",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="programs.setlog"),
                ),
            ],
            database_operations=[],
        ),
    ]
