"""A ladder already running for the patient, or an exercise it shares with what runs: asked
about before it is started.

Two running items of one ladder give the patient the same exercises twice, at two levels.
The app keeps them apart (progression prompts are per track: each item is prompted,
approved and advanced on its own, and Today and the inbox name each one's program), but the
patient does the ladder twice. That is almost always an oversight, such as a new program
assigned while the old one runs on; now and then it is meant (a short overlap when one
program takes over from another, a program for each leg after an operation on one side).

Two different ladders can share exercises too (in the library, the clamshell and the
reverse-clamshell ladders both have the reverse clamshell at level 2 and Clam 4 at level 4,
and the gluteus medius ladder has Clam 4 as well), and a single exercise can be a level of a
running ladder. Either gives the patient the same exercise twice on the same day: at once,
or once a ladder reaches it, which happens as the patient progresses (automatically, for an
item set to advance by itself) with no therapist asked again. So that is asked about too,
at the same moment and in the same way, for any level the two share: it is the moment the
therapist can still choose. The same single exercise added twice is not: it is added again
as asked, a deliberate choice (``program_item_add``).

So the app does not refuse either: it names each place the ladder already runs (program and
level), or the exercises shared and both items, and goes ahead only when the therapist
confirms (``CONFIRM``), which the audit log records. It asks where an item starts running:
adding it to an assigned program, assigning or starting a program, and creating an assigned
program through the API. A draft is not running: adding to one is not asked (its builder
row says where the ladder runs or what it shares, and assigning it asks). New dates for a
running program ask too (``check_rescheduled``): a later end, no end, an ended program
opened again or an earlier start can bring it beside another it ran apart from, the patient
doing the same exercise twice a day as surely as a new assignment would. Only what the new
dates bring together is asked about: what already ran side by side was asked about when it
began, and an earlier end or new weekdays bring nothing new.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.patients.models import Patient
from apps.programs.models import Program, ProgramItem, ProgressionPrompt
from apps.programs.rows import patient_today

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.clinics.models import User

CONFIRM = "confirm_duplicate_ladder"
# Two running items, by their tracks, that share a ladder or an exercise.
Pair = frozenset[UUID]


@dataclass(frozen=True)
class Rung:
    """An exercise an item can prescribe: a level of its ladder, or (``level`` None) the
    single exercise it is."""

    level: int | None
    exercise_id: int
    name: str


@dataclass(frozen=True)
class Running:
    """An item of an assigned, active program: what runs for the patient. ``level`` is a
    ladder's level on the first day asked about; ``rungs`` what the item can prescribe (every
    level of a ladder, lowest first; a single exercise's one)."""

    track: UUID
    ladder_id: int | None
    ladder_name: str
    program_name: str
    level: int | None
    rungs: tuple[Rung, ...] = ()

    @property
    def place(self) -> str:
        """E.g. "“Hip program” at level 3"."""
        at = f" at level {self.level}" if self.level else ""
        return f"“{self.program_name}”{at}"

    @property
    def summary(self) -> str:
        """E.g. "Clamshell (Boren 2011) at level 3 in “Hip program”"."""
        if self.ladder_id is None:
            return f"{self.name} in “{self.program_name}”"
        at = f" at level {self.level}" if self.level else ""
        return f"{self.ladder_name}{at} in “{self.program_name}”"

    @property
    def name(self) -> str:
        """The ladder's name, or the single exercise's."""
        if self.ladder_id is not None or not self.rungs:
            return self.ladder_name
        return self.rungs[0].name

    @property
    def described(self) -> str:
        """E.g. "the Clamshell (Boren 2011) ladder (level 3 in “Hip program”)", or "Clam 4 on
        its own (in “Hip program”)"."""
        if self.ladder_id is None:
            return f"{self.name} on its own (in “{self.program_name}”)"
        at = f"level {self.level} in " if self.level else "in "
        return f"the {self.ladder_name} ladder ({at}“{self.program_name}”)"

    @property
    def now(self) -> int | None:
        """The id of the exercise it prescribes on the first day asked about."""
        for rung in self.rungs:
            if rung.level == self.level:
                return rung.exercise_id
        return None


def running_items(*, patient_id: int, start: date, end: date | None) -> list[Running]:
    """The items of the patient's assigned, active programs that prescribe on a day of
    ``start..end`` (None: no end), ladders and single exercises, one per track, each ladder
    with the level of the first such day and all its levels. One query (the ladders' levels
    joined in: a patient runs a few items of a few levels each)."""
    rows = ProgramItem.objects.filter(
        Q(program__end_date__isnull=True) | Q(program__end_date__gte=start),
        Q(active_until__isnull=True) | Q(active_until__gte=start),
        program__patient_id=patient_id,
        program__is_template=False,
        program__is_active=True,
    )
    if end is not None:
        rows = rows.filter(Q(active_from__isnull=True) | Q(active_from__lte=end))
        rows = rows.filter(program__start_date__lte=end)
    ordered = rows.order_by("program__name", "position", "pk", "ladder__levels__level")
    found: dict[UUID, Running] = {}
    first_row: dict[UUID, int] = {}
    for row in ordered.values(*_COLUMNS):
        track = row["track"]
        if first_row.setdefault(track, row["pk"]) != row["pk"]:
            continue  # an earlier or later row of the same item
        known = found.get(track) or _running(row, start)
        found[track] = _with_rung(known, row)
    return list(found.values())


_COLUMNS = (
    "pk", "track", "ladder_id", "ladder__name", "exercise_id", "exercise__name",
    "program__name", "program__start_date", "active_from", "current_level", "previous_level",
    "level_since", "ladder__levels__level", "ladder__levels__exercise_id",
    "ladder__levels__exercise__name",
)  # fmt: skip


def _running(row: dict[str, Any], start: date) -> Running:
    first = max(start, row["program__start_date"], row["active_from"] or start)
    item = ProgramItem(
        ladder_id=row["ladder_id"], current_level=row["current_level"],
        previous_level=row["previous_level"], level_since=row["level_since"],
    )  # fmt: skip
    return Running(
        row["track"], row["ladder_id"], row["ladder__name"] or "", row["program__name"],
        item.level_on(first),
    )  # fmt: skip


def _with_rung(running: Running, row: dict[str, Any]) -> Running:
    if row["ladder_id"] is None:
        rung = Rung(None, row["exercise_id"], row["exercise__name"])
    elif row["ladder__levels__exercise_id"] is not None:
        rung = Rung(
            row["ladder__levels__level"],
            row["ladder__levels__exercise_id"],
            row["ladder__levels__exercise__name"],
        )
    else:
        return running  # a ladder with no levels
    return replace(running, rungs=(*running.rungs, rung))


def also_running(running: Iterable[Running], *, track: UUID, ladder_id: int) -> list[Running]:
    """Where else the ladder of the item of ``track`` runs (not that item itself)."""
    return [r for r in running if r.ladder_id == ladder_id and r.track != track]


@dataclass(frozen=True)
class Shared:
    """Another running item that can prescribe ``names`` as well; ``now``: one of them is
    what both prescribe on the first day."""

    other: Running
    names: tuple[str, ...]
    now: str = ""


def sharing(running: Iterable[Running], *, mine: Running) -> list[Shared]:
    """The items of ``running`` that can prescribe an exercise ``mine`` can (at any level),
    but for ``mine`` itself, the items of its own ladder (``also_running`` names those) and,
    when ``mine`` is a single exercise, other single ones (added twice on purpose)."""
    found = []
    for other in running:
        same_ladder = mine.ladder_id is not None and mine.ladder_id == other.ladder_id
        both_single = mine.ladder_id is None and other.ladder_id is None
        if other.track == mine.track or same_ladder or both_single:
            continue
        theirs = {rung.exercise_id for rung in other.rungs}
        names = tuple(dict.fromkeys(r.name for r in mine.rungs if r.exercise_id in theirs))
        if names:
            now = mine.now if mine.now is not None and mine.now == other.now else None
            named = next((r.name for r in mine.rungs if r.exercise_id == now), "")
            found.append(Shared(other, names, named))
    return found


def shared_text(shares: Sequence[Shared]) -> str:
    """What a builder row says it shares: "Clam 4 with the Clamshell (Boren 2011) ladder
    (level 3 in “Hip program”)"; empty when nothing."""
    return "; ".join(f"{_and(s.names)} with {s.other.described}" for s in shares)


def running_for(program: Program) -> list[Running]:
    """What runs for the program's patient on the days it can prescribe (none for a
    template): what the builder names before a ladder or an exercise is added."""
    if program.patient_id is None:
        return []
    start, end = window(program)
    return running_items(patient_id=program.patient_id, start=start, end=end)


def window(program: Program) -> tuple[date, date | None]:
    """The days from which the program can prescribe: from the patient's today or its
    start, whichever is later, to its end."""
    assert program.start_date is not None  # an assigned program
    return max(patient_today(program), program.start_date), program.end_date


def starting_items(program: Program) -> list[ProgramItem]:
    """The rows of a program that run from now (just assigned, or rescheduled), with their
    ladders."""
    return list(program.items.current(on=patient_today(program)).select_related("ladder"))


def check_ladders_running(
    *,
    actor: User,
    program: Program,
    items: Iterable[ProgramItem],
    confirmed: bool,
    request: HttpRequest | None = None,
    known: Collection[Pair] = frozenset(),
) -> None:
    """Refuse, naming each place, ``items`` (rows of ``program`` that now run) whose ladder
    already runs elsewhere for the patient (another program, or another item of this one),
    or that share an exercise with another item running for the patient (``sharing``),
    unless ``confirmed``; then audit the confirmation. Pairs of ``known`` (they ran side by
    side before) are not asked about again. Call in the transaction that started them: the
    refusal rolls it back, so nothing is saved."""
    items = list(items)
    if program.patient_id is None or not items:
        return
    start, end = window(program)
    running = running_items(patient_id=program.patient_id, start=start, end=end)
    found = _twice(items, running, known) + _shared(items, running, known)
    if found and not confirmed:
        raise ValidationError({CONFIRM: [message for message, _ in found]})
    for _, detail in found:
        audit_record(
            actor=actor, action=Action.CHANGE, patient=program.patient, target=program,
            detail=detail, request=request,
        )  # fmt: skip


def running_pairs_before(
    program: Program, start_date: date | None, end_date: date | None
) -> set[Pair] | None:
    """Before a schedule change gives ``program`` these dates: the pairs its items make with
    what runs beside them now (``check_rescheduled`` asks only about others), or None when
    there is nothing to ask (a template, a draft, the same dates)."""
    if program.is_template or not program.is_active or program.patient_id is None:
        return None
    if (start_date, end_date) == (program.start_date, program.end_date):
        return None
    running = running_for(program)
    by_track = {r.track: r for r in running}
    # Only its items that prescribe in its days so far: an ended program runs beside nothing.
    mine = [by_track[item.track] for item in starting_items(program) if item.track in by_track]
    pairs = {
        frozenset((item.track, other.track))
        for item in mine
        if item.ladder_id is not None
        for other in also_running(running, track=item.track, ladder_id=item.ladder_id)
    }
    for item in mine:
        pairs |= {frozenset((item.track, s.other.track)) for s in sharing(running, mine=item)}
    return pairs


def check_rescheduled(
    *,
    actor: User,
    program: Program,
    known: set[Pair] | None,
    confirmed: bool,
    request: HttpRequest | None = None,
) -> None:
    """After a schedule change (in its transaction) gave ``program`` (the program now in
    force: new weekdays may have continued it as another) new dates: ask, as at its start,
    about each ladder or exercise it now runs beside that it did not before (``known``, from
    ``running_pairs_before``; None: nothing to ask)."""
    if known is None:
        return
    check_ladders_running(
        actor=actor, program=program, items=starting_items(program), confirmed=confirmed,
        request=request, known=known,
    )  # fmt: skip


def check_level_doubled(
    *,
    actor: User,
    patient: Patient,
    track: UUID,
    level: int,
    target: ProgressionPrompt | ProgramItem,
    confirmed: bool,
    request: HttpRequest | None = None,
) -> None:
    """Before moving the item of ``track`` to ``level`` from the patient's next day (a prompt
    approved, a level set by hand): refuse, naming both, when another item running for the
    patient gives them that level's exercise then too (``doubled``), unless ``confirmed``;
    then audit the confirmation on ``target``. Confirming, when both started, that they
    might meet is not confirming that they now do, each day from tomorrow. Call in the
    change's transaction."""
    mine, found = doubled(patient, track=track, level=level)
    if mine is None or not found:
        return
    if not confirmed:
        raise ValidationError({CONFIRM: [_shared_message(mine, shared) for shared in found]})
    for shared in found:
        audit_record(
            actor=actor, action=Action.CHANGE, patient=patient, target=target,
            detail=_shared_detail(mine, shared), request=request,
        )  # fmt: skip


def doubled(patient: Patient, *, track: UUID, level: int) -> tuple[Running | None, list[Shared]]:
    """The item of ``track`` as it would run at ``level`` from the new level's first day (the
    patient's next day, or the later day its program or row starts; None when it never runs
    again), and the other items running then that give the patient that level's exercise
    too: a single exercise, or a ladder at it (one that has it at another level is not: it
    was asked about when it started). One query; two for an item that starts later."""
    day = patient.local_today() + timedelta(days=1)
    running = running_items(patient_id=patient.pk, start=day, end=day)
    own = next((r for r in running if r.track == track), None)
    if own is None and (later := _first_day_from(track, day)) is not None:
        running = running_items(patient_id=patient.pk, start=later, end=later)
        own = next((r for r in running if r.track == track), None)
    rung = next((r for r in own.rungs if r.level == level), None) if own else None
    if own is None or rung is None:
        return None, []
    found = [
        Shared(other, (rung.name,), rung.name)
        for other in running
        if other.track != track and other.now == rung.exercise_id
    ]
    return replace(own, level=level, rungs=(rung,)), found


def _first_day_from(track: UUID, day: date) -> date | None:
    """The first day from ``day`` on that the running item of ``track`` prescribes (its
    program's start, or its row's), or None when it prescribes on none."""
    rows = ProgramItem.objects.current(on=day).filter(
        Q(program__end_date__isnull=True) | Q(program__end_date__gte=day),
        track=track,
        program__is_template=False,
        program__is_active=True,
    )
    starts = rows.values_list("program__start_date", "active_from")
    days = [max(day, start, row_from or day) for start, row_from in starts if start is not None]
    return min(days, default=None)


def _twice(
    items: list[ProgramItem], running: list[Running], known: Collection[Pair]
) -> list[tuple[str, str]]:
    """(message, audit detail) for each ladder of ``items`` already running elsewhere, but
    beside an item of ``known`` pairs."""
    found: dict[int, tuple[str, list[Running]]] = {}
    for item in items:
        ladder = item.ladder
        if ladder is None:
            continue
        others = [
            other
            for other in also_running(running, track=item.track, ladder_id=ladder.pk)
            if frozenset((item.track, other.track)) not in known
        ]
        if others and ladder.pk not in found:
            found[ladder.pk] = (ladder.name, others)
    return [
        (_message(name, others), f"confirmed running {name} in two places at once")
        for name, others in found.values()
    ]


def _shared(
    items: list[ProgramItem], running: list[Running], known: Collection[Pair]
) -> list[tuple[str, str]]:
    """(message, audit detail) for each pair of an item of ``items`` and another running
    item that share an exercise, but ``known`` pairs; a pair of two of ``items`` once."""
    by_track = {r.track: r for r in running}
    seen: set[Pair] = set(known)
    found = []
    for item in items:
        mine = by_track.get(item.track)
        if mine is None:  # prescribes nothing in the window: runs beside nothing
            continue
        for shared in sharing(running, mine=mine):
            pair = frozenset((item.track, shared.other.track))
            if pair not in seen:
                seen.add(pair)
                found.append((_shared_message(mine, shared), _shared_detail(mine, shared)))
    return found


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _shared_message(mine: Running, shared: Shared) -> str:
    other = shared.other
    both = f"{mine.described} and {other.described} both include {_and(shared.names)}"
    if shared.now:
        when = f"the patient would do {shared.now} twice on the same day."
    elif mine.ladder_id is None or other.ladder_id is None:
        when = "once the ladder reaches it, the patient does it twice on the same day."
    elif len(shared.names) == 1:
        when = "once both are at it, the patient does it twice on the same day."
    else:
        when = "once both are at one of them, the patient does that exercise twice on the same day."
    return (
        f"{both[0].upper()}{both[1:]}: {when} Remove one of them (or end that program), or "
        "confirm that both should run."
    )


def _shared_detail(mine: Running, shared: Shared) -> str:
    return (
        f"confirmed running {mine.name} and {shared.other.name}, which both include "
        f"{_and(shared.names)}"
    )


def _message(ladder_name: str, others: list[Running]) -> str:
    places = "; ".join(other.place for other in others)
    return (
        f"{ladder_name} is already running for this patient in {places}. Running it again "
        "gives the patient the same exercises twice, each at its own level and with its own "
        "progression prompts. Remove it from one of the programs (or end that program), or "
        "confirm that both should run."
    )
