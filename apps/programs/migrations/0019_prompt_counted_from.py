# A prompt's hold window starts on the first qualifying day its rule counted. Prompts raised
# before it was stored were held back by their last day only: their window is that day.

from django.db import migrations, models
from django.db.models import F


def fill_counted_from(apps, schema_editor):
    prompts = apps.get_model("programs", "ProgressionPrompt")
    prompts.objects.filter(counted_from__isnull=True).update(counted_from=F("qualified_on"))


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0018_programitem_client_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressionprompt",
            name="counted_from",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_counted_from, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="progressionprompt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("counted_from__isnull", True), ("qualified_on__isnull", True)),
                    ("counted_from__lte", models.F("qualified_on")),
                    _connector="OR",
                ),
                name="prompt_counted_from_not_after_qualified_on",
            ),
        ),
    ]
