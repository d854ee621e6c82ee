"""`make run`'s console email and text-message backends print each message whole, its working
links included (README, "Development only"), from the Celery worker too: the worker replaces
``sys.stdout`` with a proxy that makes every write a log record, and log records have their
tokens and addresses hidden, so the one-time sign-in link, reminders and their opt-out links
sent by the worker printed as ".../sign-in/link/[hidden]/" and could not be opened."""

import logging
import sys

import pytest
from celery.utils.log import LoggingProxy
from django.core.mail import EmailMessage, get_connection
from django.test import override_settings

from apps.core.sms import ConsoleSMSBackend

LINK = "http://127.0.0.1:8000/sign-in/link/Tok3nThatWorks/"


def as_in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sys.stdout`` as a Celery worker has it (``worker_redirect_stdouts``). Called in the
    test itself: ``capfd`` replaces ``sys.stdout`` once the fixtures are set up."""
    proxy = LoggingProxy(logging.getLogger("celery.redirected"), loglevel=logging.WARNING)
    monkeypatch.setattr(sys, "stdout", proxy)


@override_settings(EMAIL_BACKEND="apps.core.console.ConsoleEmailBackend")
def test_an_email_sent_in_the_worker_prints_its_link_whole(capfd, monkeypatch):
    as_in_a_worker(monkeypatch)
    message = EmailMessage("Your sign-in link", f"Open {LINK}", to=["ann@example.org"])

    get_connection().send_messages([message])

    printed = capfd.readouterr().out
    assert LINK in printed
    assert "To: ann@example.org" in printed
    assert "[hidden]" not in printed


def test_a_text_message_sent_in_the_worker_prints_its_link_whole(capfd, monkeypatch):
    as_in_a_worker(monkeypatch)
    ConsoleSMSBackend().send(to="+44 7700 900123", body=f"Exercises: {LINK}")

    printed = capfd.readouterr().out
    assert f"SMS to +44 7700 900123: Exercises: {LINK}" in printed


def test_make_run_uses_the_console_backend_that_prints_whole():
    from config import settings as config

    assert config.EMAIL_BACKEND == "apps.core.console.ConsoleEmailBackend"
