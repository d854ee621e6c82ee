"""Django-axes' access log kept the path of every sign-in, and a patient's sign-in path is
their personal link (``/p/<public id>/<token>/``): a copy of the database held working links.
The log is off now (``AXES_DISABLE_ACCESS_LOG``); this forgets the rows written before. Rows
of staff sign-ins stay (they name /sign-in/ only). Nothing to put back."""

from django.db import migrations


def forwards(apps, schema_editor):
    access_log = apps.get_model("axes", "AccessLog")
    access_log.objects.using(schema_editor.connection.alias).filter(
        path_info__startswith="/p/"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0007_sessions_name_the_clinic_user_backend"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
