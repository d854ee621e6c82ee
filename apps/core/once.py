"""One submission, one result: a double click or a retried request never makes two of anything.

Every staff form that creates something carries a one-time key, ``client_id``: a hidden UUID
made when the form is drawn (an integration sends a UUID of its own). The service stores it
on the row it creates, under a unique constraint. A second request with the same key finds
that row and answers with it, creating nothing; two requests at the same moment are decided
by the database: the second one's insert waits on the unique index until the first commits,
fails, and the first one's row is returned. The patient's phone does the same for set logs
(``SetLog.client_id``) and questionnaires (``submission_id``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from rest_framework import serializers

M = TypeVar("M", bound=models.Model)

USED_FOR_ANOTHER = (
    "This key was already used for something else: reload the page (or send a new client_id)"
    " and try again."
)
_REPLAYED = "_client_id_replayed"


def client_id_field() -> forms.UUIDField:
    """The hidden key of a form that creates something. Each drawing of the form gets a new
    one; a form drawn again with its errors keeps the one it was sent with, since nothing was
    made under it."""
    return forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)


def client_id_input() -> serializers.UUIDField:
    """The same key in an API body: optional, and a request sent again with it answers 200
    with what the first made instead of making it again."""
    return serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A UUID of your own for this request: sent again (a retry), the answer is what "
        "the first request made (200), and nothing more is created.",
    )


def create_once(
    model: type[M],
    client_id: uuid.UUID | None,
    create: Callable[[], M],
    *,
    same: Callable[[M], bool],
) -> M:
    """The row ``create()`` makes, or the one already made under ``client_id``.

    ``create`` must store ``client_id`` on the ``model`` row it inserts (the unique column
    ``client_id``). ``same`` says whether a row found under the key answers this request (the
    same clinic, patient or program); one that does not is refused as a key used for
    something else. Without a key, ``create()`` runs as it always did. ``replayed(row)``
    tells the caller which it was (an API answers a replay with 200, not 201).
    """
    if client_id is None:
        return create()
    if (first := _made_before(model, client_id, same)) is not None:
        return first
    try:
        with transaction.atomic():  # a savepoint: losing the race keeps the caller's transaction
            return create()
    except IntegrityError:  # the same key sent twice at once: the other request made it
        first = _made_before(model, client_id, same)
        if first is None:
            raise
        return first


def replayed(row: models.Model) -> bool:
    """Whether ``create_once`` found ``row`` under its key rather than making it."""
    return bool(getattr(row, _REPLAYED, False))


def _made_before(model: type[M], client_id: uuid.UUID, same: Callable[[M], bool]) -> M | None:
    first = model._default_manager.filter(client_id=client_id).first()
    if first is None:
        return None
    if not same(first):
        raise ValidationError({"client_id": [USED_FOR_ANOTHER]})
    setattr(first, _REPLAYED, True)
    return first


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
