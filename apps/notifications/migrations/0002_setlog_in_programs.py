"""The pain alert's log now names ``programs.SetLog``: same table, so state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("programs", "0003_setlog_from_patients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="painalert",
                    name="log",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="programs.setlog"),
                ),
            ],
            database_operations=[],
        ),
    ]
