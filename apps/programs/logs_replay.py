"""A set sent under a client id that is already stored: the same set again (a retry, a double
tap) or a different one.

The client id is the set's idempotency key. A retry is answered with the stored log; a
different set under the same key used to be answered the same way, so the caller believed a
new set was saved when it was not. It is now refused (``apps.core.once.ClientIdReused``, a
409 in the API) naming each field that differs, and nothing is saved. Sets are compared with
the stored log (they were kept before requests' prints were), other rows made once per key
with what their request asked for (``apps.core.once``).

Values are compared as the set is stored, so what parses to the same value is the same set
(``2.0`` and ``2`` pain, a note with spaces around it, ``Left`` and ``left``). A field the
server fills in when the request leaves it out (the day, the set number) matches whatever
was filled in: a retry sent after midnight is still the same set. The item matches any row of
its track (a dose edit starts a new row, and the set is stored against the row of its day).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from apps.core.once import ClientIdReused, reused_errors
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
        raise ClientIdReused(reused_errors(found, what="set"), list(found))
