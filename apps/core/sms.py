"""A pluggable text-message channel with the same shape as Django's email backends."""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.console import real_stdout

logger = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class ConsoleSMSBackend:
    """Writes messages whole to the process's standard output, like the console email
    backend (``apps.core.console``), also in a Celery worker."""

    def send(self, *, to: str, body: str) -> None:
        stream = real_stdout()
        stream.write(f"SMS to {to}: {body}\n")
        stream.flush()


class SMSNotConfigured(RuntimeError):
    """No text-message provider is configured."""


class UnconfiguredSMSBackend:
    """Production's default: refuses every message, which its sender records as failed (the
    reminder's record says why), until ``SMS_BACKEND`` names a provider's backend. The console
    backend was the default there too, and printed each message whole (the patient's phone
    number and working links) into the log of the production worker."""

    def send(self, *, to: str, body: str) -> None:
        raise SMSNotConfigured(
            "No text-message provider is configured (SMS_BACKEND): the message was not sent."
        )


class LocmemSMSBackend:
    """Keeps messages in memory for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, to: str, body: str) -> None:
        self.outbox.append((to, body))


def get_sms_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend
