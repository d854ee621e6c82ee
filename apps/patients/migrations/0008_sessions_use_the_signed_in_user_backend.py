"""Sessions signed in under Django's ModelBackend carry its path; the app now signs in with
``SignedInUserBackend`` (apps/patients/backends.py) and Django only accepts a session whose
backend is configured. Rewriting the path keeps everyone signed in (patients hold 90-day
sessions on their phones) instead of signing every phone out on release."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import migrations
from django.utils import timezone

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "apps.patients.backends.SignedInUserBackend"


def _rewrite(apps, schema_editor, *, old: str, new: str) -> None:
    from apps.core.sessions import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=2000):
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _rewrite(apps, schema_editor, old=OLD, new=NEW)


def backwards(apps, schema_editor):
    _rewrite(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_today_version"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
