"""Reads for notifications: day completeness, due reminders, the inbox, level descriptions.

Every function here does a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.clinics.models import Clinic, Role
from apps.core.db_router import read_alias
from apps.core.formats import mvic_text
from apps.core.prepared import prepared_cursor
from apps.exercises.models import LadderLevel, Muscle
from apps.exercises.selectors import PrimaryValue, primary_mvic
from apps.notifications.models import PainAlert, Reminder
from apps.patients.models import HipPrecaution, Patient
from apps.programs.adherence import patient_schedules
from apps.programs.concerns import PromptConcerns, concerns_for
from apps.programs.doses import Dose, dose_summary_of, usual_dose
from apps.programs.held_back import programs_held_back
from apps.programs.levels import track_levels_going_on
from apps.programs.models import DailyTotal, ProgramItem, ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import CLOSED_LEVEL_BY_HAND

if TYPE_CHECKING:
    from apps.clinics.models import User


# --- Day completeness ----------------------------------------------------------------------


def patients_complete_on(*, patients: dict[int, tuple[Patient, date]]) -> set[int]:
    """Ids of the patients whose given local day is complete (the shared adherence rule:
    completed >= prescribed > 0), in one query: the day's stored totals, which are what
    adherence summaries count complete days from (a day not yet begun in the patient's
    time zone is not complete)."""
    if not patients:
        return set()
    days = {day for _, day in patients.values()}
    rows = DailyTotal.objects.filter(
        patient_id__in=list(patients),
        day__in=list(days),
        prescribed__gt=0,
        completed__gte=F("prescribed"),
    ).values_list("patient_id", "day")
    complete = set()
    for pk, day in rows:
        patient, wanted = patients[pk]
        if day == wanted and day <= patient.local_today():
            complete.add(pk)
    return complete


# --- Reminders due -------------------------------------------------------------------------


def reminder_time_zones() -> list[str]:
    """The distinct time zones of patients who are not archived."""
    zones = Patient.objects.filter(archived_at__isnull=True).values_list("time_zone", flat=True)
    return sorted(set(zones.order_by().distinct()))


def _scheduled_items(day: date) -> QuerySet[ProgramItem]:
    """Items prescribed on ``day`` of a program scheduled that day, for OuterRef patient."""
    return (
        ProgramItem.objects.filter(
            program__patient_id=OuterRef("pk"),
            program__is_template=False,
            program__is_active=True,
            program__start_date__lte=day,
        )
        .filter(Q(program__end_date__isnull=True) | Q(program__end_date__gte=day))
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=day))
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=day))
        .annotate(on_day=F("program__weekdays").bitand(1 << day.weekday()))
        .filter(on_day__gt=0)
    )


def _program_reminder_time(day: date, *, held_back: set[int]) -> Subquery:
    """The earliest reminder time among OuterRef patient's programs with something
    scheduled on ``day`` that set one (None when none does), leaving out the ``held_back``
    programs: hip precautions hold back all they schedule that day, so it is not their
    time that reminds the patient of the rest."""
    items = _scheduled_items(day).filter(program__reminder_time__isnull=False)
    if held_back:
        items = items.exclude(program_id__in=held_back)
    times = items.order_by("program__reminder_time").values("program__reminder_time")[:1]
    return Subquery(times)


def patients_scheduled_on(*, days: dict[int, date]) -> set[int]:
    """Ids of the patients with something still scheduled on their given local day (a
    program ended, paused or rescheduled since a reminder was claimed leaves nothing). One
    query per distinct day: a batch's patients share one or two."""
    by_day: dict[date, list[int]] = {}
    for pk, day in days.items():
        by_day.setdefault(day, []).append(pk)
    scheduled: set[int] = set()
    for day, ids in by_day.items():
        found = Patient.objects.filter(pk__in=ids).filter(Exists(_scheduled_items(day)))
        scheduled.update(found.values_list("pk", flat=True))
    return scheduled


def patients_held_back_on(*, days: dict[int, date]) -> set[int]:
    """Ids of the patients, among these with something scheduled on their given local day,
    whose every item that day is held back by hip precautions (a conflict and no override
    reason: Today leaves it out), so that the day has nothing to do. The rule of Today and
    adherence (``adherence.patient_schedules``). One query when none of them has precautions
    in force on their day, the usual case; four at most otherwise, whatever their number."""
    if not days:
        return set()
    first, last = min(days.values()), max(days.values())
    rows = HipPrecaution.objects.filter(
        patient_id__in=list(days), starts_on__lte=last, ends_on__gt=first
    ).only("patient_id", "starts_on", "ends_on")
    under = {p.patient_id for p in rows if p.is_in_force(days[p.patient_id])}
    if not under:
        return set()
    schedules = patient_schedules(patient_ids=under, start=first, end=last)
    # No schedule left at all: the program ended meanwhile; nothing to do either way.
    return {pk for pk in under if pk not in schedules or not schedules[pk].prescribed_on(days[pk])}


def patients_due_for_reminder(
    *, time_zone: str, day: date, at: time
) -> QuerySet[Any, tuple[int, time, str]]:
    """Patients in one time zone whose reminder time has come by local time ``at`` on
    ``day``, who have something scheduled that day and no reminder row for it yet. Yields
    ``(patient id, reminder time, channel)``, in id order.

    The reminder time is the patient's own (journey 4: "at the patient's chosen local
    time", chosen on their phone or set for them by staff), else the one the therapist set on
    a program scheduled that day (the earliest, when several are: one reminder a day), else
    the clinic's default. A program's time is written for everyone it is copied to; a
    patient's own is about that person's day, so it comes first. A program whose every
    exercise that day hip precautions hold back gives no time (it has nothing to do): one
    query finds them before, for the few patients of the zone with precautions in force."""
    patients = Patient.objects.filter(time_zone=time_zone, archived_at__isnull=True)
    held_back = programs_held_back(patients=patients.values("pk"), start=day, end=day)
    program_time = _program_reminder_time(day, held_back=held_back)
    return (
        patients.annotate(
            remind_at=Coalesce("reminder_time", program_time, "clinic__default_reminder_time")
        )
        .filter(remind_at__lte=at)
        .filter(Exists(_scheduled_items(day)))
        .exclude(Exists(Reminder.objects.filter(patient_id=OuterRef("pk"), local_date=day)))
        .order_by("pk")
        .values_list("pk", "remind_at", "reminder_channel")
    )


# --- Inbox ---------------------------------------------------------------------------------


GLUTEALS = ("gluteus_medius", "gluteus_maximus")


@dataclass
class LevelInfo:
    level: int
    name: str
    mvic: dict[str, PrimaryValue] = field(default_factory=dict)
    usual_dose: Dose = field(default_factory=dict)  # the exercise's (``doses.usual_dose``)

    @property
    def mvic_values(self) -> dict[str, Decimal]:
        """Each reported muscle's %MVIC (the API's ``mvic``)."""
        return {muscle: primary.value for muscle, primary in self.mvic.items()}

    @property
    def mvic_less_certain(self) -> dict[str, str]:
        """The marker's words for each muscle whose value is less certain ("single source",
        "inferred"): CLINICAL.md asks for it wherever a value is shown."""
        return {
            muscle: primary.less_certain
            for muscle, primary in self.mvic.items()
            if primary.less_certain
        }

    def mvic_text(self) -> str:
        """'gluteus medius 47 %MVIC, gluteus maximus 53 %MVIC (single source, less certain)':
        both gluteals always (a missing value is "not reported", never zero), any other muscle
        only when reported, and a value from one source or inferred marked as less certain
        (CLINICAL.md), as the library shows it."""
        parts = []
        for muscle in Muscle:
            primary = self.mvic.get(muscle.value)
            if primary is None and muscle.value not in GLUTEALS:
                continue
            shown = mvic_text(primary.value if primary else None, unit="%MVIC")
            if primary is not None and primary.less_certain:
                shown += f" ({primary.less_certain}, less certain)"
            parts.append(f"{muscle.label.lower()} {shown}")
        return ", ".join(parts)


def level_infos(*, prompts: list[ProgressionPrompt]) -> dict[tuple[int, int], LevelInfo]:
    """Exercise name and primary %MVIC of each prompt's level and next level, keyed by
    (ladder id, level). Two queries whatever the number of prompts."""
    wanted = {
        (p.item.ladder_id, lvl)
        for p in prompts
        for lvl in (p.level, p.next_level)
        if lvl is not None and p.item.ladder_id is not None
    }
    if not wanted:
        return {}
    ladder_ids = {ladder_id for ladder_id, _ in wanted}
    rows = LadderLevel.objects.filter(ladder_id__in=ladder_ids).select_related("exercise")
    levels = [r for r in rows if (r.ladder_id, r.level) in wanted]
    mvic = primary_mvic(exercise_ids={r.exercise_id for r in levels})
    return {
        (r.ladder_id, r.level): LevelInfo(
            r.level, r.exercise.name, mvic.get(r.exercise_id, {}), usual_dose(r.exercise)
        )
        for r in levels
    }


def alerts_for_staff(*, user: User) -> QuerySet[PainAlert]:
    """Pain alerts about the patients ``user`` looks after (an admin: the clinic's)."""
    return PainAlert.objects.for_staff(user).select_related("patient", "log")


def prompts_for_staff(user: User) -> QuerySet[ProgressionPrompt]:
    """Prompts about the user's own patients (a therapist) or the clinic's (an admin)."""
    return (
        ProgressionPrompt.objects.visible_to(user)
        .filter(patient__in=Patient.objects.editable_by(user))
        .select_related(
            "patient__clinic",
            "item__ladder",
            "item__program",
            "decided_by",
            "held_back_log__exercise",
        )
        .order_by("-created_at", "-pk")
    )


def open_prompts_q(today: date) -> Q:
    """Waiting for a decision: pending, or snoozed until a day that has come."""
    return Q(status=PromptStatus.PENDING) | Q(status=PromptStatus.SNOOZED, snoozed_until__lte=today)


@dataclass
class PromptCard:
    """A prompt with what the inbox shows about its level and next level."""

    prompt: ProgressionPrompt
    current: LevelInfo | None
    next: LevelInfo | None
    concerns: PromptConcerns
    # False when the exercise was removed or its program ended: nothing left to advance.
    in_program: bool = True
    # True when the track's level was changed (by hand) after the prompt was raised: it can
    # only be declined. Changes made since close the prompt; older data may still show one.
    level_changed: bool = False

    @property
    def status_label(self) -> str:
        """The status as the card's badge says it: a prompt closed by a level changed by
        hand was not closed for leaving the program, as the status's own label says."""
        prompt = self.prompt
        if (
            prompt.status == PromptStatus.WITHDRAWN
            and prompt.decision_reason == CLOSED_LEVEL_BY_HAND
        ):
            return "Closed: level changed by hand"
        return prompt.get_status_display()

    @property
    def patient_archived(self) -> bool:
        """An open prompt of an archived patient (left open from before archiving closed
        them, until the daily job does): nothing can be decided on it while they are
        archived (``apps.programs.locks``), so the card offers nothing to do."""
        return self.prompt.patient.archived_at is not None

    @property
    def waiting(self) -> bool:
        """Still waiting for a decision (what the inbox's "Ready to progress" counts)."""
        prompt = self.prompt
        if prompt.status == PromptStatus.SNOOZED and prompt.snoozed_until is not None:
            return prompt.snoozed_until <= prompt.patient.local_today()
        return prompt.status == PromptStatus.PENDING

    @property
    def moved_up_on(self) -> date | None:
        """The first day of the next level, for an approved (or automatically advanced)
        prompt: the patient's next day after the decision, as ``levels.set_level`` dates it;
        None for any other prompt."""
        prompt = self.prompt
        moved = prompt.status in (PromptStatus.APPROVED, PromptStatus.AUTO_APPROVED)
        if not moved or prompt.decided_at is None or prompt.next_level is None:
            return None
        return prompt.patient.local_today(prompt.decided_at) + timedelta(days=1)

    @property
    def next_dose(self) -> str:
        """The dose the next level brings when its exercise's usual dose differs (approving
        changes the patient's dose to it), else empty: the current dose carries on."""
        if self.next is None or self.current is None:
            return ""
        if self.next.usual_dose == self.current.usual_dose:
            return ""
        return dose_summary_of(self.next.usual_dose)


def prompt_cards(prompts: list[ProgressionPrompt]) -> list[PromptCard]:
    """Two queries for the levels, two for the concerns and one for whether each exercise is
    still in the program, whatever the number of prompts."""
    infos = level_infos(prompts=prompts)
    concerns = concerns_for(prompts)
    levels = track_levels_going_on(prompts=[p for p in prompts if p.status in OPEN_OR_SNOOZED])
    cards = []
    for p in prompts:
        ladder_id = p.item.ladder_id or 0
        nxt = infos.get((ladder_id, p.next_level)) if p.next_level else None
        is_open = p.status in OPEN_OR_SNOOZED
        in_program = not is_open or p.track in levels
        level_changed = is_open and in_program and levels[p.track] != p.level
        card = PromptCard(
            p, infos.get((ladder_id, p.level)), nxt, concerns[p.pk], in_program, level_changed
        )
        cards.append(card)
    return cards


@dataclass
class Inbox:
    open_prompts: list[PromptCard]
    snoozed: list[PromptCard]
    recent: list[PromptCard]
    alerts: list[PainAlert]


INBOX_RECENT = 20
INBOX_ALERTS = 50
OPEN_OR_SNOOZED = (PromptStatus.PENDING, PromptStatus.SNOOZED)


def inbox_for(*, user: User, today: date) -> Inbox:
    """The therapist's inbox: open prompts, snoozed ones, recent outcomes, unseen pain alerts.
    A fixed number of queries (seven) whatever the number of rows."""
    prompts = prompts_for_staff(user)
    open_prompts = list(prompts.filter(open_prompts_q(today)))
    snoozed = list(prompts.filter(status=PromptStatus.SNOOZED, snoozed_until__gt=today))
    recent = list(prompts.exclude(status__in=OPEN_OR_SNOOZED)[:INBOX_RECENT])
    alerts = list(
        PainAlert.objects.for_staff(user)
        .filter(acknowledged_at__isnull=True)
        .select_related("patient", "log")[:INBOX_ALERTS]
    )
    cards = prompt_cards(open_prompts + snoozed + recent)
    n_open, n_snoozed = len(open_prompts), len(snoozed)
    return Inbox(
        cards[:n_open], cards[n_open : n_open + n_snoozed], cards[n_open + n_snoozed :], alerts
    )


def clinic_today(user: User) -> date:
    """The staff member's clinic's date now: the day a snoozed prompt comes back on."""
    zone = user.clinic.time_zone if user.clinic else "UTC"
    return timezone.now().astimezone(ZoneInfo(zone)).date()


# The inbox count's statement, one per role, built once and prepared (``prepared_cursor``):
# compiling the ORM's version, five counting subqueries, cost more Python on every staff page
# than PostgreSQL took to run it (bench/README.md). ``scope`` is the patients
# ``Patient.objects.editable_by`` gives the role. Prompts are read once, with the statuses of
# ``open_prompts_by_patient``; the snoozed ones are split by the day they come back: the
# clinic's today is the UTC date or a day either side, and Python picks which (SQLite has no
# time zones).
_WAITING_SQL = """
SELECT clinic.time_zone, prompts.waiting, prompts.back_today, prompts.back_tomorrow, alerts.n
FROM {clinic} clinic
CROSS JOIN (
    SELECT
        COUNT(*) FILTER (WHERE prompt.status = '{pending}' OR (
            prompt.status = '{snoozed}' AND prompt.snoozed_until <= %(yesterday)s
        )) AS waiting,
        COUNT(*) FILTER (WHERE prompt.status = '{snoozed}'
            AND prompt.snoozed_until = %(today)s) AS back_today,
        COUNT(*) FILTER (WHERE prompt.status = '{snoozed}'
            AND prompt.snoozed_until = %(tomorrow)s) AS back_tomorrow
    FROM {prompt} prompt
    JOIN {patient} patient ON patient.id = prompt.patient_id
    WHERE {scope} AND prompt.status IN ('{pending}', '{snoozed}')
) prompts
CROSS JOIN (
    SELECT COUNT(*) AS n
    FROM {alert} alert
    JOIN {patient} patient ON patient.id = alert.patient_id
    WHERE {scope} AND alert.acknowledged_at IS NULL
) alerts
WHERE clinic.id = %(clinic)s
"""


def _waiting_sql(scope: str) -> str:
    # Table names from the models, statuses from the code: every value is a parameter.
    return _WAITING_SQL.format(  # nosec B608
        clinic=Clinic._meta.db_table,
        prompt=ProgressionPrompt._meta.db_table,
        patient=Patient._meta.db_table,
        alert=PainAlert._meta.db_table,
        pending=PromptStatus.PENDING.value,
        snoozed=PromptStatus.SNOOZED.value,
        scope=scope,
    )


_WAITING_SQL_BY_ROLE: dict[str, str] = {
    Role.ADMIN: _waiting_sql("patient.clinic_id = %(clinic)s"),
    Role.THERAPIST: _waiting_sql(
        "patient.clinic_id = %(clinic)s AND patient.therapist_id = %(therapist)s"
    ),
}


def inbox_waiting_count(*, user: User, now: datetime | None = None) -> int:
    """How many items the inbox lists as waiting for ``user``: its open prompts ("Ready to
    progress", as ``inbox_for`` reads them on the clinic's today) and unseen pain alerts, of
    the patients ``user`` may change (a therapist's own, the whole clinic's for an admin).
    0 for anyone else (a patient, an operator of no clinic).

    One query, for the staff menu of every page: it reads the clinic's time zone beside the
    counts rather than loading the clinic first."""
    sql = _WAITING_SQL_BY_ROLE.get(user.role)
    if sql is None or user.clinic_id is None:
        return 0
    now = now or timezone.now()
    utc_day = now.astimezone(UTC).date()
    yesterday, utc_today, tomorrow = (utc_day + timedelta(days=d) for d in (-1, 0, 1))
    alias = read_alias()  # as the ORM reads
    adapt = connections[alias].ops.adapt_datefield_value
    params = {
        "clinic": user.clinic_id,
        "therapist": user.pk,
        "yesterday": adapt(yesterday),
        "today": adapt(utc_today),
        "tomorrow": adapt(tomorrow),
    }
    with prepared_cursor(alias) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return 0
    zone, waiting, back_today, back_tomorrow, alerts = row
    clinic_day = now.astimezone(ZoneInfo(zone)).date()
    waiting += back_today if clinic_day >= utc_today else 0
    waiting += back_tomorrow if clinic_day >= tomorrow else 0
    return int(waiting + alerts)


def reminders_for_staff(*, user: User, patient: Patient | None = None) -> QuerySet[Reminder]:
    """Reminder records of the user's patients, newest first, optionally of one patient."""
    reminders = Reminder.objects.for_staff(user).select_related("patient")
    if patient is not None:
        reminders = reminders.filter(patient=patient)
    return reminders.order_by("-local_date", "-created_at", "-pk")
