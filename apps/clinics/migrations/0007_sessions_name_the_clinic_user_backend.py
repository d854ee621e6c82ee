"""Sessions signed in before ``apps.clinics.backends.ClinicUserBackend`` name Django's model
backend, which is no longer in AUTHENTICATION_BACKENDS: Django would treat them as signed
out (patients would need their personal link again). Rename the backend in each such session
so nobody is signed out by the upgrade; the reverse renames it back."""

from django.db import migrations

BACKEND_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
SIGN_IN_BACKEND = "apps.clinics.backends.ClinicUserBackend"
CHUNK = 1000


def _rename(apps, schema_editor, old, new):
    # Encoding and decoding are Django's signing with the site's secret, salted with the
    # store's class name: Django's database store encodes exactly as the site's
    # (apps.core.sessions, also "SessionStore", which changes only how rows are looked up),
    # and, unlike the site's, does not change with this project's code.
    from django.contrib.sessions.backends.db import SessionStore

    session_model = apps.get_model("sessions", "Session")
    sessions = session_model.objects.using(schema_editor.connection.alias).order_by("session_key")
    store, after = SessionStore(), ""
    while chunk := list(sessions.filter(session_key__gt=after)[:CHUNK]):
        after = chunk[-1].session_key
        changed = []
        for session in chunk:
            data = store.decode(session.session_data)
            if data.get(BACKEND_KEY) == old:
                data[BACKEND_KEY] = new
                session.session_data = store.encode(data)
                changed.append(session)
        sessions.bulk_update(changed, ["session_data"])


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, DJANGO_MODEL_BACKEND, SIGN_IN_BACKEND)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, SIGN_IN_BACKEND, DJANGO_MODEL_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0006_clinic_default_times_as_functions"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
