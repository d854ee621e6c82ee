"""Reads of a patient's schedule: what is prescribed on a day and how much of it is done.

``today_plan`` runs a fixed number of queries (five at most) whatever the number of
programs, items or logs, so the patient's page stays fast on a slow phone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, QuerySet

from apps.clinics.access import find_in_scope, get_for_staff
from apps.clinics.models import User
from apps.core.precompiled import INT, UUID_STAND_IN, PrecompiledQuery
from apps.exercises.models import Exercise, LadderLevel
from apps.patients.models import HipPrecaution, Patient, Side
from apps.patients.selectors import precautions_between
from apps.programs.builder import weekday_summary
from apps.programs.doses import patient_dose
from apps.programs.held_back import programs_held_back
from apps.programs.models import LevelChange, Program, ProgramItem, SetLog
from apps.programs.precautions import uncovered
from apps.programs.rows import patient_today

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
    item: ProgramItem, day: date, levels: dict[tuple[int, int], LadderLevel]
) -> tuple[Exercise | None, int | None]:
    """The exercise prescribed by ``item`` on ``day`` and its ladder level (None: single)."""
    if item.ladder_id is None:
        return item.exercise, None
    level = item.level_on(day)
    ladder_level = levels.get((item.ladder_id, level or 0))
    return (ladder_level.exercise if ladder_level else None), level


def allowed(item: ProgramItem, exercise: Exercise, precautions: list[HipPrecaution]) -> bool:
    """Whether the patient may see ``exercise`` under ``precautions``: no conflict, or an
    override reason given for each conflict it has."""
    return not uncovered(item, exercise, precautions)


def _sides(item: ProgramItem) -> list[str]:
    return [Side.LEFT, Side.RIGHT] if item.per_side else [Side.BOTH]


def _logged(log: SetLog) -> LoggedSet:
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
            sides[key].logs.append(_logged(log))
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


# --- History: what was done against what was prescribed, day by day --------------------------


@dataclass
class HistoryEntry:
    """One item on one past day: the dose prescribed then and the sets logged against it.

    ``prescribed`` is False for sets logged against an item not prescribed that day (activity,
    not adherence); their dose comes from the prescription copied onto the logs.
    """

    name: str
    level: int | None
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool
    prescribed: bool
    sides: list[SideProgress]

    @property
    def done(self) -> int:
        return sum(side.done for side in self.sides)

    @property
    def target(self) -> int:
        return sum(side.target_sets for side in self.sides)


def _prescribed_entry(
    item: ProgramItem, day: date, levels: dict[tuple[int, int], LadderLevel], logs: list[SetLog]
) -> HistoryEntry:
    exercise, level = exercise_for(item, day, levels)
    return HistoryEntry(
        name=exercise.name if exercise else (item.ladder.name if item.ladder else ""),
        level=level,
        sets=item.sets,
        reps=item.reps,
        hold_seconds=item.hold_seconds,
        per_side=item.per_side,
        prescribed=True,
        sides=item_progress(item, logs),
    )


def _logged_entry(logs: list[SetLog]) -> HistoryEntry:
    first = logs[0]
    sides: dict[str, SideProgress] = {}
    for log in logs:
        side = sides.setdefault(log.side, SideProgress(side=log.side, target_sets=0))
        side.logs.append(_logged(log))
    return HistoryEntry(
        name=first.exercise.name,
        level=first.ladder_level,
        sets=first.target_sets,
        reps=first.target_reps,
        hold_seconds=first.target_hold_seconds,
        per_side=first.target_per_side,
        prescribed=False,
        sides=list(sides.values()),
    )


def history_entries(*, patient: Patient, start: date, end: date) -> dict[date, list[HistoryEntry]]:
    """For each day of ``start..end`` with anything prescribed or logged, its entries.

    Three queries whatever the length of the period or the number of logs.
    """
    items = patient_items(patient=patient, from_day=start)
    levels = ladder_levels({item.ladder_id for item in items if item.ladder_id})
    logs: dict[tuple[date, int], list[SetLog]] = defaultdict(list)
    for log in (
        SetLog.objects.filter(patient=patient, performed_on__range=(start, end))
        .select_related("exercise")
        .order_by("logged_at")
    ):
        logs[(log.performed_on, log.item_id)].append(log)
    days: dict[date, list[HistoryEntry]] = {}
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        todays = prescribed_on(items, day)
        entries = [_prescribed_entry(i, day, levels, logs.pop((day, i.pk), [])) for i in todays]
        entries += [_logged_entry(v) for (d, _), v in sorted(logs.items()) if d == day]
        if entries:
            days[day] = entries
    return days


# --- Staff reads: the program pages and the program API ------------------------------------


def programs_for_reading(*, user: User) -> QuerySet[Program]:
    """The clinic's templates and patients' programs ``user`` may read."""
    return Program.objects.visible_to(user).select_related("patient", "clinic")


def programs_for_change(*, user: User) -> QuerySet[Program]:
    """The programs ``user`` may change: the clinic's templates, and the programs of the
    patients ``user`` may edit."""
    return Program.objects.editable_by(user).select_related("patient", "clinic")


def program_list(*, user: User, everyone: bool) -> tuple[QuerySet[Program], QuerySet[Program]]:
    """The program list page: the clinic's templates (with their item counts) and the
    assigned programs, newest change first (only the user's own patients' unless
    ``everyone``)."""
    visible = Program.objects.visible_to(user)
    templates = visible.templates().annotate(item_count=Count("items")).order_by("name")
    recent = visible.assigned().select_related("patient", "created_by").order_by("-updated_at")
    if not everyone:
        recent = recent.filter(patient__therapist=user)
    return templates, recent


def program_current_items(*, program: Program) -> QuerySet[ProgramItem]:
    """The program's items as the therapist edits them from its patient's today (a
    template: today's), one row per track (``ProgramItemQuerySet.for_editing``)."""
    return program.items.for_editing(on=patient_today(program))


def ladder_item_levels(*, item: ProgramItem) -> QuerySet[LadderLevel]:
    return LadderLevel.objects.filter(ladder=item.ladder).select_related("exercise")


def ladder_item_for_staff(*, user: User, program: Program, public_id: UUID) -> ProgramItem:
    """A current ladder item of a patient's program (the level page and its API): anything
    else, a plain item or a template's, is a 404 like an unknown one."""
    current = program_current_items(program=program).select_related("ladder")
    if program.patient_id is None:
        current = current.none()
    return get_for_staff(user, current.filter(ladder__isnull=False), public_id)


# --- The patient's own set logs (portal pages and /me/ API) --------------------------------


def patient_logs(*, patient: Patient) -> QuerySet[SetLog]:
    """The patient's own set logs, with what their pages show; fetch one by id from here
    with ``get_for_patient``."""
    return SetLog.objects.filter(patient=patient).select_related("item", "exercise")


def recent_logs(*, patient: Patient, since: date, limit: int) -> QuerySet[SetLog]:
    """The patient's logs from ``since`` (their local day), newest first, at most ``limit``."""
    recent = patient_logs(patient=patient).filter(performed_on__gte=since)
    return recent.order_by("-performed_on", "-logged_at")[:limit]


@dataclass(frozen=True)
class ProgramReminderTime:
    program_name: str
    reminder_time: time
    days: str  # "Every day", or "Mon, Wed, Fri"


# How far ahead the Reminders page looks for a day on which a program has something to do:
# a week, which holds each of the weekdays it names once.
REMINDER_WEEK_DAYS = 7


def program_reminder_times(*, patient: Patient, today: date) -> list[ProgramReminderTime]:
    """The reminder times the therapist set on the patient's assigned programs that have not
    ended, earliest first: what reminds the patient on those programs' days when they have no
    time of their own. A program whose every exercise the hip precautions hold back on each
    of its days of the coming week is left out: it has nothing to do, so its time reminds of
    nothing (``held_back.programs_held_back``, the rule of the reminders sent). One held back
    today only (the precautions end tomorrow, or its ladder moves to an exercise they allow)
    reminds again on its next day, so it is named."""
    programs = (
        patient.programs.filter(is_template=False, is_active=True, reminder_time__isnull=False)
        .exclude(end_date__lt=today)
        .order_by("reminder_time", "name")
    )
    week = today + timedelta(days=REMINDER_WEEK_DAYS - 1)
    held_back = programs_held_back(patients=[patient.pk], start=today, end=week)
    return [
        ProgramReminderTime(p.name, p.reminder_time, weekday_summary(p))
        for p in programs
        if p.reminder_time is not None and p.pk not in held_back
    ]
