"""One submission, one result: a double click or a retried request never makes two of anything.

Every staff form that creates something carries a one-time key, ``client_id``: a hidden UUID
made when the form is drawn (an integration sends a UUID of its own). The service stores it
on the row it creates, under a unique constraint. A second request with the same key finds
that row and answers with it, creating nothing; two requests at the same moment are decided
by the database: the second one's insert waits on the unique index until the first commits,
fails, and the first one's row is returned. The patient's phone does the same for set logs
(``SetLog.client_id``) and questionnaires (``submission_id``).

The same key sent with a *different* request (a client bug that reuses ids, a form sent back
with other values) used to get the first row back as if it had made what it asked for. The
row now also keeps what its request asked for (``client_request``, ``request_print``), and a
request that asks for something else is refused (``ClientIdReused``: a 409 in the API, the
form's errors on a page) naming each field that differs, saving nothing. It is compared with
what was asked, not with the row: a retry after someone edited the row is still the same
request. Set logs, kept before prints existed, compare with the stored set
(``apps.programs.logs_replay``), and a submitted questionnaire with its stored answers
(``apps.outcomes.resubmit``); both are refused the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from rest_framework import serializers

M = TypeVar("M", bound=models.Model)

USED_FOR_ANOTHER = (
    "This key was already used for something else: reload the page (or send a new client_id)"
    " and try again."
)
DIFFERS = "Not what was first sent under this key (client_id)."
_REPLAYED = "_client_id_replayed"

# What a request asked for: field name -> digest of the value (``request_print``).
RequestPrint = dict[str, str]


class ClientIdReused(ValidationError):
    """A key is stored for a different request than the one sent: nothing was saved.

    A ValidationError, so a caller that does not tell it apart still answers 400 (a page shows
    it on its form), never 500; the API answers 409 (``apps.core.api``). ``errors`` are keyed as
    any refusal of the request (``client_id`` and each field that differs; ``<index>.<field>``
    in a batch of sets); ``fields`` names what differs.
    """

    def __init__(self, errors: dict[str, str], fields: list[str]) -> None:
        self.fields = fields
        super().__init__(errors)


def reused_errors(found: Mapping[str, str], *, what: str, prefix: str = "") -> dict[str, str]:
    """The refusal of a ``what`` (a set, a patient) sent under a key stored for another one:
    ``found`` maps each field that differs to what to say about it."""
    message = (
        f"This key (client_id) was already used for a different {what} "
        f"({', '.join(found)} differ): nothing was saved. A retry must send the same {what}; "
        "for a new one, reload the page or send a new client_id."
    )
    return {f"{prefix}client_id": message} | {f"{prefix}{k}": v for k, v in found.items()}


def request_print(client_id: uuid.UUID | None, **asked: object) -> RequestPrint | None:
    """What a request asked for, one digest per field, for ``create_once`` to store with the
    row it makes (its ``client_request``) and to compare a request sent again with; None
    without a key. Pass each field as the request gave it (normalised: stripped text, not a
    day the server filled in), under the name the request uses, so that a retry is the same
    and a 409 names what the caller sent. Digests, not values: the row keeps no second copy
    of what it holds (a name before its correction); keyed by the client id, so the same value
    in two rows is not the same digest."""
    if client_id is None:
        return None
    return {name: _digest(client_id, value) for name, value in asked.items()}


def _digest(client_id: uuid.UUID, value: object) -> str:
    text = json.dumps(_plain(value), cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.blake2b(text.encode(), key=client_id.bytes, digest_size=16).hexdigest()


def _plain(value: object) -> object:
    """``value`` as JSON can hold it: a row as its key, a dataclass as its fields."""
    if isinstance(value, models.Model):
        return value.pk
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(inner) for inner in value]
    return value


def client_id_field() -> forms.UUIDField:
    """The hidden key of a form that creates something. Each drawing of the form gets a new
    one; a form drawn again with its errors keeps the one it was sent with, since nothing was
    made under it."""
    return forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)


def client_request_field() -> models.JSONField:
    """The column beside a model's ``client_id``: what the request that made the row asked
    for (``request_print``), to tell a retry from a different request under the same key.
    Null on rows made without a key or before it was kept (nothing to compare)."""
    return models.JSONField(null=True, blank=True, editable=False)


def client_id_input() -> serializers.UUIDField:
    """The same key in an API body: optional, and a request sent again with it answers 200
    with what the first made instead of making it again (a 409 when it asks for more)."""
    return serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A UUID of your own for this request: sent again (a retry), the answer is what "
        "the first request made (200), and nothing more is created. Sent with a different "
        "request, the answer is a 409 naming each field that differs, and nothing is saved.",
    )


def create_once(
    model: type[M],
    client_id: uuid.UUID | None,
    create: Callable[[], M],
    *,
    same: Callable[[M], bool],
    asked: RequestPrint | None,
    key: str = "client_id",
    kept: str = "client_request",
) -> M:
    """The row ``create()`` makes, or the one already made under ``client_id``.

    ``create`` must store ``client_id`` and ``asked`` (``request_print``: what this request
    asks for) on the ``model`` row it inserts (the unique column ``client_id``, the column
    ``client_request``). ``same`` says whether a row found under the key answers this
    request's caller (the same clinic, patient or program); one that does not is refused as a
    key used for something else (400). A row that does, made for a request that asked for
    something else, is refused as ``ClientIdReused`` naming each field that differs. Without
    a key, ``create()`` runs as it always did. ``replayed(row)`` tells the caller which it was
    (an API answers a replay with 200, not 201). A row that keeps the key of a later request
    of its own (a draft started by Assign) names those columns: ``key`` and ``kept``.
    """
    if client_id is None:
        return create()
    columns = (key, kept)
    if (first := made_before(model, client_id, same, asked, columns)) is not None:
        return first
    try:
        with transaction.atomic():  # a savepoint: losing the race keeps the caller's transaction
            return create()
    except IntegrityError:  # the same key sent twice at once: the other request made it
        first = made_before(model, client_id, same, asked, columns)
        if first is None:
            raise
        return first


def replayed(row: models.Model) -> bool:
    """Whether ``create_once`` found ``row`` under its key rather than making it."""
    return bool(getattr(row, _REPLAYED, False))


def mark_replayed(row: M) -> M:
    """``row``, found rather than made by a service that tells a request sent again by what
    it carries instead of a key (the same file uploaded again): ``replayed`` says so."""
    setattr(row, _REPLAYED, True)
    return row


def made_before(
    model: type[M],
    client_id: uuid.UUID,
    same: Callable[[M], bool],
    asked: RequestPrint | None,
    columns: tuple[str, str] = ("client_id", "client_request"),
) -> M | None:
    """The row stored under ``client_id`` in the ``columns`` (its key, its print) if it
    answers this request (see ``create_once``); None when there is none. For a caller whose
    keys live in two columns, to look in the one ``create_once`` is not given."""
    first = model._default_manager.filter(**{columns[0]: client_id}).first()
    if first is None:
        return None
    if not same(first):  # checked first: another clinic's request is not described
        raise ValidationError({"client_id": [USED_FOR_ANOTHER]})
    differ = _differences(getattr(first, columns[1], None), asked)
    if differ:
        what = str(model._meta.verbose_name)
        raise ClientIdReused(reused_errors(dict.fromkeys(differ, DIFFERS), what=what), differ)
    setattr(first, _REPLAYED, True)
    return first


def _differences(stored: RequestPrint | None, asked: RequestPrint | None) -> list[str]:
    """The fields of two prints that differ, those sent now first. A row made before prints
    were kept has none: nothing to compare, the first row answers as it always did."""
    if stored is None or asked is None:
        return []
    return [name for name in {**asked, **stored} if asked.get(name) != stored.get(name)]


def created_status(row: models.Model) -> int:
    """An API's status for what ``create_once`` returned: 201 when made, 200 for a replay."""
    return 200 if replayed(row) else 201


def key_for(client_id: uuid.UUID | None, *choice: str) -> uuid.UUID | None:
    """The key of one choice made under a form's key: a form with several buttons (CSV,
    Excel, PDF), or whose answer is a download that leaves the page and its key in place, so
    that the same choice sent again is one request and another choice is a new one."""
    if client_id is None:
        return None
    return uuid.uuid5(client_id, "\x1f".join(choice))


def posted_client_id(data: Mapping[str, Any]) -> uuid.UUID | None:
    """The key a form without a Django form sent (``{% one_time_key %}``); None when the
    page had none (drawn before it was added), a ValidationError when it is not a UUID."""
    value = data.get("client_id") or ""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({"client_id": [USED_FOR_ANOTHER]}) from error
