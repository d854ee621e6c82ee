"""Development messages printed whole: `make run`'s email and text-message backends.

They print each message to the process's own standard output, never through ``sys.stdout``
as it may stand: a Celery worker replaces ``sys.stdout`` with a proxy that makes every write a
log record (``worker_redirect_stdouts``), and log records have their tokens and email
addresses hidden (``apps.core.log_redaction``). The one-time sign-in link, the reminders and
their opt-out links, all sent by the worker, printed as ".../sign-in/link/[hidden]/": the
developer could not open them, which is what printing them is for (README, "Development
only"). Never use these where the links belong to real people.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from django.core.mail.backends.console import EmailBackend


def real_stdout() -> TextIO:
    """The process's standard output, whatever has replaced ``sys.stdout`` since."""
    return sys.__stdout__ or sys.stdout


class ConsoleEmailBackend(EmailBackend):
    """Django's console backend, printing to the process's own standard output."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", real_stdout())
        super().__init__(*args, **kwargs)
