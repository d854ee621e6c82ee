"""The order of a program's current items: put them all in a given order (the API), or move
one up or down (the builder). Each takes the program's lock first and asks again whether the
caller may still change the program (``locks``), and ends with ``program_audit``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import Action
from apps.programs.item_services import ITEM_ENDED, program_audit
from apps.programs.locks import lock_item_if_editable, lock_program_if_editable
from apps.programs.models import Program, ProgramItem
from apps.programs.rows import patient_today

if TYPE_CHECKING:
    from apps.clinics.models import User


@transaction.atomic
def program_items_reorder(
    *,
    actor: User,
    program: Program,
    item_ids: Sequence[int],
    request: HttpRequest | None = None,
) -> None:
    """Put the program's current items in the given order (every current item, once); a 404,
    nothing moved, for a caller who may no longer change the program (``locks``)."""
    lock_program_if_editable(program=program, actor=actor)
    _reorder(actor, program, item_ids, request)


def _reorder(
    actor: User, program: Program, item_ids: Sequence[int], request: HttpRequest | None
) -> None:
    """``program_items_reorder`` once the program is locked and may be changed."""
    current = program.items.for_editing(on=patient_today(program))
    items = list(current.select_for_update(of=("self",)))
    by_id = {item.pk: item for item in items}
    if len(item_ids) != len(by_id) or set(item_ids) != set(by_id):
        raise ValidationError({"items": "List every item of the program exactly once."})
    shown = [item.pk for item in sorted(items, key=lambda item: (item.position, item.pk))]
    moved = shown != list(item_ids)
    for position, item_id in enumerate(item_ids):
        by_id[item_id].position = position
    ProgramItem.objects.bulk_update(items, ["position"])
    changes = ["order changed" if moved else "order unchanged"]
    program_audit(
        actor=actor, program=program, action=Action.CHANGE, changes=changes, request=request
    )


@transaction.atomic
def program_item_move(
    *, actor: User, item: ProgramItem, offset: int, request: HttpRequest | None = None
) -> None:
    """Move an item up (-1) or down (+1) among the program's current items, as they are under
    the program's lock (``lock_item_if_editable``: a 404, nothing moved, for a caller who may
    no longer change the program or an item gone meanwhile; a 400 for one ended meanwhile)."""
    item = lock_item_if_editable(item=item, actor=actor)
    program = item.program
    ids = list(program.items.for_editing(on=patient_today(program)).values_list("pk", flat=True))
    if item.pk not in ids:  # ended meanwhile (removed with its history, its dose changed)
        raise ValidationError(ITEM_ENDED)
    index = ids.index(item.pk)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    _reorder(actor, program, ids, request)
