"""A set sent under a client id that is already stored: the same set again (a retry, a double
tap) or a different one.

The client id is the set's idempotency key. A retry is answered with the stored log; a
different set under the same key used to be answered the same way, so the caller believed a
new set was saved when it was not. It is now refused (``ClientIdReused``, a 409 in the API)
naming each field that differs, and nothing is saved.

Values are compared as the set is stored, so what parses to the same value is the same set
(``2.0`` and ``2`` pain, a note with spaces around it, ``Left`` and ``left``). A field the
server fills in when the request leaves it out (the day, the set number) matches whatever
was filled in: a retry sent after midnight is still the same set. The item matches any row of
its track (a dose edit starts a new row, and the set is stored against the row of its day).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError

from apps.programs.models import ProgramItem, SetLog


@dataclass(frozen=True)
class SentSet:
    """One set as a request sent it; ``None`` for the day or set number means "not sent"."""

    item: ProgramItem | None
    performed_on: date | None
    side: str
    set_number: int | None
    reps: int | None
    hold_seconds: int | None
    pain: int | None
    difficulty: int | None
    note: str


class ClientIdReused(ValidationError):
    """A client id is stored for a different set than the one sent: nothing was saved.

    A ValidationError, so a caller that does not tell it apart still answers 400, never 500;
    the API answers 409 (``apps.core.api.Conflict``). ``errors`` are keyed as any refusal of
    the request (``client_id`` and each field that differs; ``<index>.<field>`` in a batch);
    ``fields`` names what differs, in the order of ``SentSet``.
    """

    def __init__(self, errors: dict[str, str], fields: list[str]) -> None:
        self.fields = fields
        super().__init__(errors)


def reused_errors(found: dict[str, str], prefix: str = "") -> dict[str, str]:
    """The refusal of one set whose client id is stored with the ``found`` differences."""
    message = (
        "This client_id was already used for a different set "
        f"({', '.join(found)} differ): nothing was saved. "
        "A new set needs a new client_id; a retry must send the same set."
    )
    return {f"{prefix}client_id": message} | {f"{prefix}{k}": v for k, v in found.items()}


def _shown(value: object) -> str:
    return "none" if value in (None, "") else str(value)


def _stored_value(log: SetLog, name: str) -> object:
    if name == "item":
        return log.item.public_id
    return getattr(log, name)


def _sent_value(sent: SentSet, name: str) -> object:
    if name == "item":
        return sent.item.public_id if sent.item is not None else None
    value = getattr(sent, name)
    if name == "note":
        return value.strip()
    if name == "side":
        return value.strip().lower()
    return value


def _same(log: SetLog, sent: SentSet, name: str) -> bool:
    if name in ("performed_on", "set_number") and getattr(sent, name) is None:
        return True  # filled in by the server: whatever it filled in
    if name == "item":
        item = sent.item
        return item is not None and (item.program_id, item.track) == (
            log.item.program_id,
            log.item.track,
        )
    return _sent_value(sent, name) == _stored_value(log, name)


def differences(log: SetLog, sent: SentSet) -> dict[str, str]:
    """Each field of ``sent`` that differs from the stored ``log``, with what each holds."""
    found: dict[str, str] = {}
    for field in fields(SentSet):
        name = field.name
        if not _same(log, sent, name):
            found[name] = (
                f"Sent {_shown(_sent_value(sent, name))}; the set stored under this client_id "
                f"has {_shown(_stored_value(log, name))}."
            )
    return found


def check_replay(log: SetLog, sent: SentSet) -> None:
    """Refuse (``ClientIdReused``) a set that is not the one stored under its client id."""
    found = differences(log, sent)
    if found:
        raise ClientIdReused(reused_errors(found), list(found))
