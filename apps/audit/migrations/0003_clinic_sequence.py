"""Number audit entries per clinic, so a clinic's admins no longer see the installation-wide
sequence (which told them how much the other clinics do). Existing entries are numbered in
their chain order, clinic by clinic.

The append-only trigger refuses UPDATE, so it is switched off for this one statement, inside
the migration's transaction: no other writer can see the table without it."""

from django.db import migrations, models

NUMBER_ROWS = """
UPDATE audit_auditentry SET clinic_sequence = numbered.n
FROM (
    SELECT id, row_number() OVER (PARTITION BY clinic_id ORDER BY sequence) AS n
    FROM audit_auditentry WHERE clinic_id IS NOT NULL
) AS numbered
WHERE audit_auditentry.id = numbered.id
"""
TRIGGER = "audit_entry_append_only"


def number_existing_entries(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Deferred foreign-key checks must run first, or PostgreSQL refuses the ALTER.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {TRIGGER}")
    schema_editor.execute(NUMBER_ROWS)
    if postgres:
        schema_editor.execute(f"ALTER TABLE audit_auditentry ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="clinic_sequence",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(number_existing_entries, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("clinic", "clinic_sequence"), name="audit_one_number_per_clinic_entry"
            ),
        ),
    ]
