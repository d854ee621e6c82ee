"""API tokens expire. Tokens made before get 365 days from this migration, so no integration
stops working at the upgrade while every token still stops some day."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

GRACE = timedelta(days=365)


def give_existing_tokens_a_year(apps, schema_editor):
    ApiToken = apps.get_model("clinics", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + GRACE)


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0013_clinic_health_details_in_staff_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_existing_tokens_a_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
