"""SetLog now lives in the programs app (programs 0003); forget it here without touching its
table, which programs' model keeps using under its old name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_initial"),
        ("programs", "0003_setlog_from_patients"),
        ("notifications", "0002_setlog_in_programs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SetLog")], database_operations=[]
        ),
    ]
