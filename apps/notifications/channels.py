"""Outgoing channels behind one interface: email through Django's mail framework (console
backend in development, SMTP in production) and text messages through ``apps.core.sms``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from apps.core.sms import get_sms_backend
from apps.patients.models import ReminderChannel


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    # A text message has no subject and little room: its own, shorter body.
    short_body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, line breaks included, as one space.

    A subject names a patient, a ladder or an exercise as typed by people (or sent through the
    API), and a header cannot hold a line break: Django refuses the whole message, so a pain
    alert naming "Ann\\nLee" was retried until given up, never sent."""
    return " ".join(text.split())


class Channel(Protocol):
    name: str

    def send(self, *, to: str, message: Message) -> None:
        """Hand the message over or raise; returning means the channel accepted it."""


class EmailChannel:
    """Each email through its own connection of the configured backend, or, given one, through
    that connection: opened at the first email, opened again after a failed one (it may be
    broken), closed by its owner (``batch_channels``)."""

    name = ReminderChannel.EMAIL.value

    def __init__(self, connection: BaseEmailBackend | None = None) -> None:
        self._connection = connection
        self._open = False

    def send(self, *, to: str, message: Message) -> None:
        email = EmailMessage(
            subject=one_line(message.subject),
            body=message.body,
            to=[to],
            headers=message.headers,
            connection=self._connection,
        )
        try:
            if self._connection is not None and not self._open:
                self._connection.open()
                self._open = True
            email.send(fail_silently=False)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None and self._open:
            self._open = False
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._connection.close()


class SMSChannel:
    name = ReminderChannel.SMS.value

    def send(self, *, to: str, message: Message) -> None:
        get_sms_backend().send(to=to, body=message.short_body or message.body)


CHANNELS: dict[str, Channel] = {
    ReminderChannel.EMAIL.value: EmailChannel(),
    ReminderChannel.SMS.value: SMSChannel(),
}


def channel_for(name: str) -> Channel:
    """The channel called ``name`` (a ``ReminderChannel`` value); email when unknown."""
    return CHANNELS.get(name, CHANNELS[ReminderChannel.EMAIL.value])


@contextlib.contextmanager
def batch_channels() -> Iterator[Callable[[str], Channel]]:
    """``channel_for`` for a batch of messages sent one after the other: the emails share one
    connection to the email backend (an SMTP session, not one per message), closed at the
    end. Each message is still handed over, accepted or refused on its own."""
    email = EmailChannel(get_connection())
    channels: dict[str, Channel] = {email.name: email, SMSChannel.name: SMSChannel()}
    try:
        yield lambda name: channels.get(name, email)
    finally:
        email.close()
