"""Give every study a public id, so that forms name studies by UUID, never by sequential id.

A field added with a callable default gets one value for every existing row, so it is added
nullable, filled row by row, then made unique and required."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Study = apps.get_model("exercises", "Study")
    for study in Study.objects.filter(public_id__isnull=True).only("pk"):
        study.public_id = uuid.uuid4()
        study.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("exercises", "0002_library_extensions")]

    operations = [
        migrations.AddField(
            model_name="study",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="study",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
