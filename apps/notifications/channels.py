"""Outgoing channels behind one interface: email through Django's mail framework (console
backend in development, SMTP in production) and text messages through ``apps.core.sms``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.core.mail import EmailMessage

from apps.core.sms import get_sms_backend
from apps.patients.models import ReminderChannel


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    # A text message has no subject and little room: its own, shorter body.
    short_body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, *, to: str, message: Message) -> None:
        """Hand the message over or raise; returning means the channel accepted it."""


class EmailChannel:
    name = ReminderChannel.EMAIL.value

    def send(self, *, to: str, message: Message) -> None:
        email = EmailMessage(
            subject=message.subject, body=message.body, to=[to], headers=message.headers
        )
        email.send(fail_silently=False)


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
