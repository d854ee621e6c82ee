"""Reads of a patient's schedule: what is prescribed on a day and how much of it is done, and
the patient's own set logs.

The History page's entries are in ``history``, the Reminders page's program times in
``reminder_selectors``, the staff's program pages' reads in ``staff_selectors``.

``today_plan`` runs a fixed number of queries (five at most) whatever the number of
programs, items or logs, so the patient's page stays fast on a slow phone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef

from apps.clinics.access import find_in_scope
from apps.clinics.models import User
from apps.core.precompiled import INT, UUID_STAND_IN, PrecompiledQuery
from apps.exercises.models import Exercise, LadderLevel
from apps.patients.models import HipPrecaution, Patient, Side
from apps.patients.selectors import precautions_between
from apps.programs.doses import patient_dose
from apps.programs.models import LevelChange, ProgramItem, SetLog
from apps.programs.precautions import CHECKED_FOR_PATIENT, uncovered

# How far ahead "your next exercise day" looks when nothing is scheduled today.
NEXT_DAY_HORIZON_DAYS = 366


@dataclass(frozen=True)
class LoggedSet:
    """One set already logged on the day, as the patient page shows it."""

    public_id: UUID
    side: str
    set_number: int
    reps: int | None
    hold_seconds: int | None
    pain: int
    difficulty: int | None
    note: str
    logged_at: datetime


@dataclass
class SideProgress:
    """The sets of one side (``left``, ``right``, or ``both`` for an unsided item)."""

    side: str
    target_sets: int
    logs: list[LoggedSet] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Side(self.side).label) if self.side != Side.BOTH else ""

    @property
    def done(self) -> int:
        """Completed units: logged sets capped at the prescription (the adherence rule)."""
        return min(len(self.logs), self.target_sets)

    @property
    def complete(self) -> bool:
        return len(self.logs) >= self.target_sets

    @property
    def next_set_number(self) -> int:
        return len(self.logs) + 1

    @property
    def pain_max(self) -> int | None:
        return max((log.pain for log in self.logs), default=None)


@dataclass
class PlanItem:
    """One item prescribed on the day, with the exercise in force and the sets logged."""

    item: ProgramItem
    exercise: Exercise | None
    level: int | None
    level_count: int | None
    sides: list[SideProgress]

    @property
    def public_id(self) -> UUID:
        return self.item.public_id

    @property
    def ladder_name(self) -> str | None:
        return self.item.ladder.name if self.item.ladder_id and self.item.ladder else None

    @property
    def prescribed(self) -> int:
        return sum(side.target_sets for side in self.sides)

    @property
    def completed(self) -> int:
        return sum(side.done for side in self.sides)

    @property
    def complete(self) -> bool:
        return self.completed >= self.prescribed > 0

    @property
    def precautions_checked(self) -> bool:
        """Prescribed with the therapist's override reason: Today shows that the therapist
        checked it against the patient's hip precautions (never the reason)."""
        return bool(self.item.precaution_override)

    @property
    def precautions_note(self) -> str:
        return CHECKED_FOR_PATIENT if self.precautions_checked else ""

    @property
    def due_side(self) -> str:
        """The side a set logged with Enter goes to: the one with fewer sets today, the
        first (left) when they are level, so Enter never adds to a side already ahead."""
        return min(self.sides, key=lambda side: len(side.logs)).side if self.sides else Side.BOTH

    @property
    def log_buttons(self) -> list[tuple[SideProgress, bool]]:
        """Each side with whether another set on it is an extra one (its prescribed sets
        done while another side's are not), in the order of the log buttons: extra sets go
        after the sides still due, so the first (primary) button never offers an extra set
        while another side is due. Once every side is done the order is the sides'."""
        buttons = [(side, side.complete and not self.complete) for side in self.sides]
        return sorted(buttons, key=lambda button: button[1])

    @property
    def is_hold(self) -> bool:
        return self.item.hold_seconds is not None

    @property
    def dose_text(self) -> str:
        """The dose in the patient's words (``apps.programs.doses.patient_dose``)."""
        return patient_dose(self.item)

    def too_much_pain(self, too_much_above: int) -> int | None:
        """The day's highest pain on this item when it is "too much" (CLINICAL.md's
        pain-monitoring model: above the clinic's hold-back level, 5 by default): the
        patient is told to stop this exercise for today. The alert level (7) only decides
        whether the therapist is told the same day."""
        highest = max(
            (side.pain_max for side in self.sides if side.pain_max is not None), default=None
        )
        return highest if highest is not None and highest > too_much_above else None


@dataclass(frozen=True)
class LevelChangeNote:
    """A ladder level change effective today or yesterday: "why your exercise changed"."""

    item_public_id: UUID
    ladder_name: str
    from_level: int
    to_level: int
    exercise_name: str | None
    effective_on: date
    reason: str


@dataclass
class TodayPlan:
    patient: Patient
    day: date
    items: list[PlanItem]
    level_changes: list[LevelChangeNote]
    next_day: date | None
    # How many of the day's exercises the hip precautions hold back (left out of ``items``
    # until the therapist gives an override reason or changes the program): a day of nothing
    # but those is no rest day, and the patient is told why.
    held_back: int = 0
    # The levels of the day's ladders (``ladder_levels``), for pages that show more of them
    # (the goal on Today) without reading them again.
    levels: dict[tuple[int, int], LadderLevel] = field(default_factory=dict)

    @property
    def scheduled(self) -> bool:
        return bool(self.items)

    @property
    def several_programs(self) -> bool:
        """Items of more than one program today: each card then names its program, as two
        programs may hold the same exercise and their cards would otherwise look the same."""
        return len({plan_item.item.program_id for plan_item in self.items}) > 1

    @property
    def prescribed(self) -> int:
        return sum(item.prescribed for item in self.items)

    @property
    def completed(self) -> int:
        return sum(item.completed for item in self.items)

    @property
    def complete(self) -> bool:
        """The adherence rule: a day is complete when completed >= prescribed > 0."""
        return self.completed >= self.prescribed > 0


def patient_items(*, patient: Patient, from_day: date | None = None) -> list[ProgramItem]:
    """Items of the patient's active programs, still active on or after ``from_day``."""
    items = ProgramItem.objects.filter(
        program__patient=patient, program__is_template=False, program__is_active=True
    ).select_related("program", "exercise", "ladder")
    if from_day is not None:
        items = items.exclude(active_until__lt=from_day)
    return list(items.order_by("program__start_date", "program_id", "position", "pk"))


def program_exercise_ids(*, patient: Patient, on: date) -> set[int]:
    """The exercises of the patient's active programs still running on ``on``: each single
    item's exercise and every level of each ladder item (2 queries)."""
    items = ProgramItem.objects.filter(
        program__patient=patient, program__is_template=False, program__is_active=True
    ).exclude(active_until__lt=on)
    rows = list(items.values_list("exercise_id", "ladder_id"))
    ids = {exercise for exercise, _ in rows if exercise is not None}
    ladders = {ladder for _, ladder in rows if ladder is not None}
    if ladders:
        levels = LadderLevel.objects.filter(ladder_id__in=ladders)
        ids |= set(levels.values_list("exercise_id", flat=True))
    return ids


def patient_item(*, patient: Patient, public_id: UUID) -> ProgramItem | None:
    """One item of the patient's own programs (any state), or None when it is not theirs,
    with what logging a set reads: its program and its exercise (a ladder's exercise comes
    from its levels)."""
    items = ProgramItem.objects.filter(program__patient=patient, program__is_template=False)
    return find_in_scope(items.select_related("program", "exercise"), public_id)


# ``own_item``'s read: what ``Patient.objects.visible_to(user)`` is for a patient account
# (their own record), unarchived, joined to the item. The one-tap log's only lookup before
# its checks, so its SQL is compiled once (``PrecompiledQuery``; Django compiling this
# four-table join cost more than PostgreSQL running it). It also says whether the patient
# has ever had hip precautions (``PATIENT_HAS_PRECAUTIONS``): most never have, and then the
# log's hold-back check needs no query of its own.
PATIENT_HAS_PRECAUTIONS = "patient_has_precautions"
_OWN_ITEM: PrecompiledQuery[ProgramItem] = PrecompiledQuery(
    lambda user_id, public_id: (
        ProgramItem.objects.filter(
            program__patient__user_id=user_id,
            program__patient__archived_at__isnull=True,
            program__is_template=False,
            public_id=public_id,
        )
        .select_related("program__patient", "exercise")
        .annotate(
            **{
                PATIENT_HAS_PRECAUTIONS: Exists(
                    HipPrecaution.objects.filter(patient_id=OuterRef("program__patient_id"))
                )
            }
        )
        .order_by()
    ),
    stand_ins=(INT, UUID_STAND_IN),
)


def own_item(*, user: User, public_id: UUID | str) -> ProgramItem | None:
    """An item of the signed-in patient's own programs (any state) with its program, the
    patient and its exercise, in one query. None when it is not theirs, or they have no
    active patient record (``own_patient`` tells the two apart). Its attribute named
    ``PATIENT_HAS_PRECAUTIONS`` is False when the patient has no hip precautions at all,
    in force or not (``apps.programs.logs`` then reads none)."""
    if not user.is_patient or user.clinic_id is None:  # as ``visible_to``
        return None
    try:
        wanted = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        return None
    return _OWN_ITEM.first(user.pk, wanted)


def prescribed_on(items: Iterable[ProgramItem], day: date) -> list[ProgramItem]:
    """The items whose program is scheduled on ``day`` and which are active that day."""
    return [item for item in items if item.program.is_scheduled_on(day) and item.is_active_on(day)]


def next_scheduled_day(
    items: list[ProgramItem],
    after: date,
    *,
    levels: dict[tuple[int, int], LadderLevel],
    precautions: list[HipPrecaution],
) -> date | None:
    """The first day after ``after``, within a year, on which Today will show something: an
    item prescribed whose exercise the hip precautions in force that day do not hold back.
    A day whose every exercise they hold back is no exercise day for the patient (Today
    shows nothing), so "your next exercise day" must not send them to it. ``levels``: those
    of every ladder among ``items`` when ``precautions`` (those in force on any day after
    ``after``) are not empty."""
    for offset in range(1, NEXT_DAY_HORIZON_DAYS + 1):
        day = after + timedelta(days=offset)
        todays = prescribed_on(items, day)
        if not todays:
            continue
        in_force = [p for p in precautions if p.is_in_force(day)]
        if not in_force or any(_shown(item, day, levels, in_force) for item in todays):
            return day
    return None


def _shown(
    item: ProgramItem,
    day: date,
    levels: dict[tuple[int, int], LadderLevel],
    precautions: list[HipPrecaution],
) -> bool:
    """Whether Today shows ``item`` on ``day`` (``today_plan``'s rule)."""
    exercise, _ = exercise_for(item, day, levels)
    return exercise is None or allowed(item, exercise, precautions)


def ladder_levels(ladder_ids: Iterable[int]) -> dict[tuple[int, int], LadderLevel]:
    """Every level of these ladders keyed by (ladder_id, level), with its exercise."""
    ids = set(ladder_ids)
    if not ids:
        return {}
    levels = LadderLevel.objects.filter(ladder_id__in=ids).select_related("exercise", "ladder")
    return {(level.ladder_id, level.level): level for level in levels}


def exercise_for(
    item: ProgramItem,
    day: date,
    levels: dict[tuple[int, int], LadderLevel],
    *,
    level: int | None = None,
) -> tuple[Exercise | None, int | None]:
    """The exercise prescribed by ``item`` on ``day`` and its ladder level (None: single).
    ``level``: the ladder level of that day when the caller has it from the history of
    changes (``levels.level_on_day``: a set logged late); else ``item.level_on(day)``."""
    if item.ladder_id is None:
        return item.exercise, None
    level = level if level is not None else item.level_on(day)
    ladder_level = levels.get((item.ladder_id, level or 0))
    return (ladder_level.exercise if ladder_level else None), level


def allowed(item: ProgramItem, exercise: Exercise, precautions: list[HipPrecaution]) -> bool:
    """Whether the patient may see ``exercise`` under ``precautions``: no conflict, or an
    override reason given for each conflict it has."""
    return not uncovered(item, exercise, precautions)


def _sides(item: ProgramItem) -> list[str]:
    return [Side.LEFT, Side.RIGHT] if item.per_side else [Side.BOTH]


def logged(log: SetLog) -> LoggedSet:
    return LoggedSet(
        public_id=log.public_id,
        side=log.side,
        set_number=log.set_number,
        reps=log.reps,
        hold_seconds=log.hold_seconds,
        pain=log.pain,
        difficulty=log.difficulty,
        note=log.note,
        logged_at=log.logged_at,
    )


def item_progress(item: ProgramItem, logs: list[SetLog]) -> list[SideProgress]:
    """Split an item's logs of one day by side, as the adherence rule counts them."""
    sides = {side: SideProgress(side=side, target_sets=item.sets) for side in _sides(item)}
    for log in logs:
        # An unsided item counts every log; a per-side item only left and right ones.
        key = log.side if item.per_side else Side.BOTH
        if key in sides:
            sides[key].logs.append(logged(log))
    return list(sides.values())


def _logs_by_item(patient: Patient, day: date) -> dict[int, list[SetLog]]:
    by_item: dict[int, list[SetLog]] = defaultdict(list)
    for log in SetLog.objects.filter(patient=patient, performed_on=day).order_by("logged_at"):
        by_item[log.item_id].append(log)
    return by_item


def _level_changed_lately(items: Iterable[ProgramItem], day: date) -> bool:
    """Whether a level change may be effective on ``day`` or the day before: an advance sets
    the item's ``level_since`` to its effective day (new versions of a row keep it), so
    without such an item there is no change to read and the query is skipped."""
    since = day - timedelta(days=1)
    return any(item.level_since is not None and item.level_since >= since for item in items)


def _level_changes(patient: Patient, day: date) -> list[LevelChange]:
    return list(
        LevelChange.objects.filter(
            item__program__patient=patient,
            item__program__is_template=False,
            # A draft's change is no news: the patient has not been given the draft.
            item__program__is_active=True,
            effective_on__in=[day, day - timedelta(days=1)],
        ).select_related("item__ladder")
    )


def _announced(changes: list[LevelChange], *, held_back: set[UUID]) -> list[LevelChange]:
    """The changes Today tells the patient about: for each exercise and day only the last
    one made (a change replaced the same day, or taken back, is not news), and none whose
    exercise the page leaves out (the patient would look for it)."""
    last: dict[tuple[UUID, date], LevelChange] = {}
    for change in sorted(changes, key=lambda c: c.pk):
        last[(change.item.track, change.effective_on)] = change
    return [
        c for c in last.values()
        if c.item.track not in held_back and c.from_level != c.to_level
    ]  # fmt: skip


def _level_change_note(
    change: LevelChange, levels: dict[tuple[int, int], LadderLevel]
) -> LevelChangeNote:
    item = change.item
    level = levels.get((item.ladder_id or 0, change.to_level))
    return LevelChangeNote(
        item_public_id=item.public_id,
        ladder_name=item.ladder.name if item.ladder else "",
        from_level=change.from_level,
        to_level=change.to_level,
        exercise_name=level.exercise.name if level else None,
        effective_on=change.effective_on,
        reason=change.reason,
    )


def _level_count(ladder_id: int | None, levels: dict[tuple[int, int], Any]) -> int | None:
    if ladder_id is None:
        return None
    return max((lvl for lid, lvl in levels if lid == ladder_id), default=None)


def _precautions_ahead(patient: Patient, on: date) -> list[HipPrecaution]:
    """The patient's precautions in force on ``on`` or a day of the next year (one query)."""
    last = on + timedelta(days=NEXT_DAY_HORIZON_DAYS)
    return precautions_between(patient=patient, first=on, last=last)


def today_plan(*, patient: Patient, on: date) -> TodayPlan:
    """What ``patient`` is prescribed on the local day ``on``, with the sets already logged.

    Items come from the patient's active programs scheduled on ``on`` and active that day;
    a ladder item shows the exercise at ``item.level_on(on)``. An exercise that conflicts with
    the patient's hip precautions in force on ``on`` is left out unless the therapist gave an
    override reason for it (``apps.programs.precautions``). Completion follows the
    adherence rule (logged sets per side capped at the prescribed sets). Also returns the
    level changes effective on ``on`` or the day before, and the next day after ``on`` on
    which something will be shown (``next_scheduled_day``: one the precautions do not wholly
    hold back).
    """
    items = patient_items(patient=patient, from_day=on)
    todays = prescribed_on(items, on)
    changes = _level_changes(patient, on) if _level_changed_lately(items, on) else []
    # Today's precautions and those of the days to come in one query: the next exercise day
    # is one whose exercises they do not all hold back. Under any, every ladder's levels are
    # needed (the next day's exercise may be another item's); without, today's suffice.
    ahead = _precautions_ahead(patient, on) if items else []
    ladder_ids = {i.ladder_id for i in (items if ahead else todays) if i.ladder_id}
    ladder_ids |= {c.item.ladder_id for c in changes if c.item.ladder_id}
    levels = ladder_levels(ladder_ids)
    logs = _logs_by_item(patient, on) if todays else {}
    precautions = [p for p in ahead if p.is_in_force(on)]
    plan_items = []
    held_back: set[UUID] = set()
    for item in todays:
        exercise, level = exercise_for(item, on, levels)
        if exercise is not None and not allowed(item, exercise, precautions):
            held_back.add(item.track)
            continue
        plan_items.append(
            PlanItem(
                item=item,
                exercise=exercise,
                level=level,
                level_count=_level_count(item.ladder_id, levels),
                sides=item_progress(item, logs.get(item.pk, [])),
            )
        )
    return TodayPlan(
        patient=patient,
        day=on,
        items=plan_items,
        level_changes=[
            _level_change_note(c, levels) for c in _announced(changes, held_back=held_back)
        ],
        next_day=next_scheduled_day(items, on, levels=levels, precautions=ahead),
        held_back=len(held_back),
        levels=levels,
    )
