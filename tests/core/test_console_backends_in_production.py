"""The console backends print each message whole, working links and addresses included, to
the process's own output (``apps.core.console``): in production that output is the
containers' log, read by operators and log services. Production never starts with one, and
its text messages, whose default was the console backend, are refused until a provider is
configured instead of printed."""

import subprocess
import sys

import pytest

from apps.core.sms import SMSNotConfigured, UnconfiguredSMSBackend
from tests.core.test_settings import ROOT, clean_env, start_django

PRODUCTION = {
    "DJANGO_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "clinic.example",
}


@pytest.mark.parametrize(
    ("variable", "backend"),
    [
        ("EMAIL_BACKEND", "apps.core.console.ConsoleEmailBackend"),
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        ("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"),
        ("SMS_BACKEND", "apps.core.sms.ConsoleSMSBackend"),
    ],
)
def test_production_refuses_to_start_with_a_backend_that_prints_messages_whole(variable, backend):
    result = start_django(**PRODUCTION, **{variable: backend})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_production_starts_with_its_defaults_and_sends_no_text_message_to_the_console():
    env = {**clean_env(), "DJANGO_SETTINGS_MODULE": "config.settings", **PRODUCTION}
    script = "import django; django.setup(); from django.conf import settings as s;"
    script += "print(s.EMAIL_BACKEND); print(s.SMS_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "apps.core.sms.UnconfiguredSMSBackend",
    ]


def test_the_production_text_message_default_refuses_to_send_and_prints_nothing(capfd):
    with pytest.raises(SMSNotConfigured, match="SMS_BACKEND"):
        UnconfiguredSMSBackend().send(to="+44 7700 900123", body="https://x/p/a/Tok3n/")

    printed = capfd.readouterr()
    assert "Tok3n" not in printed.out + printed.err
