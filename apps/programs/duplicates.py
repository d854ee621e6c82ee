"""A ladder already running for the patient: asked about before it is started again.

Two running items of one ladder give the patient the same exercises twice, at two levels.
The app keeps them apart (progression prompts are per track: each item is prompted,
approved and advanced on its own, and Today and the inbox name each one's program), but the
patient does the ladder twice. That is almost always an oversight, such as a new program
assigned while the old one runs on; now and then it is meant (a short overlap when one
program takes over from another, a program for each leg after an operation on one side).
So the app does not refuse it: it names each place the ladder already runs (program and
level) and goes ahead only when the therapist confirms (``CONFIRM``), which the audit log
records. It asks where a ladder starts running: adding it to an assigned program, assigning
or starting a program, and creating an assigned program through the API. A draft is not
running: adding to one is not asked (its builder row says where the ladder runs, and
assigning it asks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.programs.models import Program, ProgramItem
from apps.programs.rows import patient_today

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.clinics.models import User

CONFIRM = "confirm_duplicate_ladder"


@dataclass(frozen=True)
class Running:
    """A ladder item of an assigned, active program: where a ladder runs for the patient."""

    track: UUID
    ladder_id: int
    ladder_name: str
    program_name: str
    level: int | None

    @property
    def place(self) -> str:
        """E.g. "“Hip program” at level 3"."""
        at = f" at level {self.level}" if self.level else ""
        return f"“{self.program_name}”{at}"

    @property
    def summary(self) -> str:
        """E.g. "Clamshell (Boren 2011) at level 3 in “Hip program”"."""
        at = f" at level {self.level}" if self.level else ""
        return f"{self.ladder_name}{at} in “{self.program_name}”"


def running_ladders(*, patient_id: int, start: date, end: date | None) -> list[Running]:
    """The ladder items of the patient's assigned, active programs that prescribe on a day
    of ``start..end`` (None: no end), one per track, with the level of the first such day.
    One query."""
    rows = ProgramItem.objects.filter(
        Q(program__end_date__isnull=True) | Q(program__end_date__gte=start),
        Q(active_until__isnull=True) | Q(active_until__gte=start),
        program__patient_id=patient_id,
        program__is_template=False,
        program__is_active=True,
        ladder__isnull=False,
    )
    if end is not None:
        rows = rows.filter(Q(active_from__isnull=True) | Q(active_from__lte=end))
        rows = rows.filter(program__start_date__lte=end)
    found: dict[UUID, Running] = {}
    ordered = rows.select_related("ladder", "program").order_by("program__name", "position", "pk")
    for item in ordered:
        assert item.ladder is not None  # the filter
        assert item.program.start_date is not None  # an assigned program
        if item.track in found:
            continue
        first = max(start, item.program.start_date, item.active_from or start)
        found[item.track] = Running(
            item.track, item.ladder.pk, item.ladder.name, item.program.name, item.level_on(first)
        )
    return list(found.values())


def also_running(running: Iterable[Running], *, track: UUID, ladder_id: int) -> list[Running]:
    """Where else the ladder of the item of ``track`` runs (not that item itself)."""
    return [r for r in running if r.ladder_id == ladder_id and r.track != track]


def running_for(program: Program) -> list[Running]:
    """The ladders running for the program's patient on the days it can prescribe (none for
    a template): what the builder names before a ladder is added."""
    if program.patient_id is None:
        return []
    start, end = window(program)
    return running_ladders(patient_id=program.patient_id, start=start, end=end)


def window(program: Program) -> tuple[date, date | None]:
    """The days from which the program can prescribe: from the patient's today or its
    start, whichever is later, to its end."""
    assert program.start_date is not None  # an assigned program
    return max(patient_today(program), program.start_date), program.end_date


def check_ladders_running(
    *,
    actor: User,
    program: Program,
    items: Iterable[ProgramItem],
    confirmed: bool,
    request: HttpRequest | None = None,
) -> None:
    """Refuse, naming each place, ``items`` (ladder rows of ``program`` that now run) whose
    ladder already runs elsewhere for the patient (another program, or another item of this
    one), unless ``confirmed``; then audit the confirmation. Call in the transaction that
    started them: the refusal rolls it back, so nothing is saved."""
    ladder_items = [item for item in items if item.ladder_id is not None]
    if program.patient_id is None or not ladder_items:
        return
    start, end = window(program)
    running = running_ladders(patient_id=program.patient_id, start=start, end=end)
    found: dict[int, tuple[str, list[Running]]] = {}
    for item in ladder_items:
        ladder = item.ladder
        assert ladder is not None  # ladder items only
        others = also_running(running, track=item.track, ladder_id=ladder.pk)
        if others and ladder.pk not in found:
            found[ladder.pk] = (ladder.name, others)
    if found and not confirmed:
        raise ValidationError(
            {CONFIRM: [_message(name, others) for name, others in found.values()]}
        )
    for name, _ in found.values():
        audit_record(
            actor=actor, action=Action.CHANGE, patient=program.patient, target=program,
            detail=f"confirmed running {name} in two places at once", request=request,
        )  # fmt: skip


def _message(ladder_name: str, others: list[Running]) -> str:
    places = "; ".join(other.place for other in others)
    return (
        f"{ladder_name} is already running for this patient in {places}. Running it again "
        "gives the patient the same exercises twice, each at its own level and with its own "
        "progression prompts. Remove it from one of the programs (or end that program), or "
        "confirm that both should run."
    )
