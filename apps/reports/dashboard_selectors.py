"""Reads for the therapist dashboard: which patients it shows, one row each with its flags,
and the sorting; three queries whatever the number of patients (three or four more when some
have hip precautions). The figures of each row come from the database in one statement and the
ladders in another (``dashboard_figures``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.clinics.models import Clinic, Role, User
from apps.core.formats import percent_text
from apps.core.precompiled import DATE_STAND_IN, INT, PrecompiledRows
from apps.patients.models import HipPrecaution, Patient, PatientQuerySet
from apps.reports.dashboard_figures import (
    MONTH_DAYS,
    NO_FIGURES,
    Adherence,
    LadderStatus,
    Panel,
    panel_figures,
    panel_ladders,
)

# Flags: this many scheduled days in a row without a log, and adherence under this share.
MISSED_DAYS_FLAG = 3
LOW_ADHERENCE_PERCENT = 50


class InvalidSort(ValueError):
    """The requested sort is not one the dashboard offers."""


class DashboardPatient(NamedTuple):
    pk: int
    public_id: UUID
    full_name: str
    therapist: str
    link_locked: bool = False  # too many wrong years of birth, and not revoked on purpose


class Flag(NamedTuple):
    code: str
    label: str


@dataclass(slots=True)
class DashboardRow:
    """One patient on the dashboard."""

    patient: DashboardPatient
    week: Adherence
    month: Adherence
    last_activity: date | None
    missed_days: int
    pending_prompts: int
    ladders: list[LadderStatus] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    worse_morning: date | None = None


def dashboard_patients(*, user: User, therapist: User | None = None) -> PatientQuerySet:
    """The patients on the user's dashboard: a therapist's own; an admin's clinic's, or one
    therapist's when ``therapist`` is given. Archived patients are left out."""
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=True)
    if not user.is_clinic_staff:
        return patients.none()
    if user.is_therapist:
        return patients.filter(therapist=user)
    if therapist is not None:
        return patients.filter(therapist=therapist)
    return patients


def _flags(row: DashboardRow, pain_alert_level: int) -> list[Flag]:
    flags = []
    if row.missed_days >= MISSED_DAYS_FLAG:
        flags.append(Flag("missed", f"{row.missed_days} scheduled days missed"))
    if row.week.pain_max is not None and row.week.pain_max >= pain_alert_level:
        flags.append(Flag("pain", f"Pain {row.week.pain_max}/10"))
    if row.worse_morning is not None:
        flags.append(Flag("worse", f"Worse next morning ({row.worse_morning:%a %-d %b})"))
    value = row.week.adherence_percent
    if value is not None and value < LOW_ADHERENCE_PERCENT:
        flags.append(Flag("low", f"Low adherence ({percent_text(value)})"))
    if row.patient.link_locked:
        # Else the clinic learns of it only when the patient phones.
        flags.append(Flag("locked", "Link locked"))
    return flags


def _under_precautions(day_after: date, month_before: date) -> Exists:
    """Whether the patient has hip precautions in force around the last month (one ended
    early by hand still holds its days before the end, moved to that day): a wide
    window (a day more each side holds every time zone: ``day_after`` is the day after
    today, ``month_before`` the month's first day less one), narrowed to each patient's own
    days by ``held_back_windows`` for the few that have them."""
    return Exists(
        HipPrecaution.objects.filter(
            patient_id=OuterRef("pk"), starts_on__lte=day_after, ends_on__gt=month_before
        )
    )


# The dashboard's list of patients, compiled once a thread for each kind of list (a
# therapist's own; an admin's clinic; an admin's choice of therapist), as
# ``dashboard_patients`` and ``_under_precautions`` build it: compiling that queryset cost
# more than running it (bench/README.md, "Twenty-sixth session").
_PANEL_COLUMNS = (
    "pk", "public_id", "full_name", "time_zone", "therapist__full_name", "therapist__email",
    "therapist_id", "held", "link_failed_attempts", "link_revoked_at",
)  # fmt: skip
_CLINIC, _PERSON = INT, INT + 1  # stand-ins (apps.core.precompiled)
_DAY_AFTER, _MONTH_BEFORE = DATE_STAND_IN, DATE_STAND_IN + timedelta(days=1)


def _panel_query(role: str, chosen_therapist: bool) -> PrecompiledRows:
    """The list's statement for a user of ``role``: ``all(clinic_id, [person_id,] day_after,
    month_before)``, ``person_id`` being a therapist's own id, or the therapist an admin
    chose (``chosen_therapist``); an admin's whole clinic takes none."""
    takes_person = role == Role.THERAPIST or chosen_therapist

    def build(clinic_id: int, *rest: Any) -> Any:
        person_id, (day_after, month_before) = (rest[0], rest[1:]) if takes_person else (0, rest)
        user = User(pk=person_id if role == Role.THERAPIST else 0, clinic_id=clinic_id, role=role)
        therapist = User(pk=person_id, role=Role.THERAPIST) if chosen_therapist else None
        chosen = dashboard_patients(user=user, therapist=therapist)
        held = _under_precautions(day_after, month_before)
        return chosen.annotate(held=held).values_list(*_PANEL_COLUMNS)

    person = (_PERSON,) if takes_person else ()
    return PrecompiledRows(build, stand_ins=(_CLINIC, *person, _DAY_AFTER, _MONTH_BEFORE))


_PANEL_QUERIES = {
    (Role.THERAPIST, False): _panel_query(Role.THERAPIST, False),
    (Role.ADMIN, False): _panel_query(Role.ADMIN, False),
    (Role.ADMIN, True): _panel_query(Role.ADMIN, True),
}


def _panel_rows(user: User, therapist: User | None) -> list[tuple[Any, ...]]:
    """``dashboard_patients`` with ``_PANEL_COLUMNS``, through its precompiled statement."""
    if not user.is_clinic_staff or user.clinic_id is None:
        return []
    chosen_therapist = user.is_clinic_admin and therapist is not None
    query = _PANEL_QUERIES[(Role(user.role), chosen_therapist)]
    today = timezone.now().date()
    if user.is_therapist:
        person = [user.pk]
    elif therapist is not None and chosen_therapist:
        person = [therapist.pk]
    else:
        person = []
    day_after, month_before = today + timedelta(days=1), today - timedelta(days=MONTH_DAYS + 1)
    return query.all(user.clinic_id, *person, day_after, month_before)


def _panel(user: User, therapist: User | None) -> tuple[list[DashboardPatient], Panel]:
    """The patients (as plain tuples; one query) with the local today of each, for the
    figures."""
    patients, zones, todays, held = [], {}, {}, []
    for (
        pk, public_id, name, zone, t_name, t_email, t_id, under_precautions, failures, revoked_at,
    ) in _panel_rows(user, therapist):  # fmt: skip
        if zone not in zones:
            zones[zone] = Patient(time_zone=zone).local_today()
        todays[pk] = zones[zone]
        # As ``str(User)``: the name, else the email, else the id.
        therapist_name = t_name or t_email or f"user {t_id}"
        # ``Patient.link_state == "locked"``, without building a Patient a row.
        locked = revoked_at is None and failures >= settings.PATIENT_LINK_MAX_FAILURES
        patients.append(DashboardPatient(pk, public_id, name, therapist_name, locked))
        if under_precautions:
            held.append(pk)
    return patients, Panel(todays, held)


def dashboard_rows(
    *, user: User, clinic: Clinic, therapist: User | None = None, sort: str = "name"
) -> list[DashboardRow]:
    """The dashboard's rows, sorted by ``sort`` (a key of ``SORTS``, ``-`` first for
    descending; raises ``InvalidSort`` otherwise). Three queries (three or four more when
    some patients have hip precautions), one when the user has no patients."""
    key = sort_key(sort)
    patients, panel = _panel(user, therapist)
    if not patients:
        return []
    figures = panel_figures(panel)
    ladders = panel_ladders(panel)
    rows = []
    for patient in patients:
        # A patient added since the list was read has no figures yet: the next load has them.
        found = figures.get(patient.pk, NO_FIGURES)
        row = DashboardRow(
            patient=patient,
            week=found.week,
            month=found.month,
            last_activity=found.last_activity,
            missed_days=found.missed_days,
            pending_prompts=found.pending_prompts,
            ladders=ladders.get(patient.pk, []),
            worse_morning=found.worse_morning,
        )
        row.flags = _flags(row, clinic.pain_alert_level)
        rows.append(row)
    return key(rows)


# --- Sorting -------------------------------------------------------------------------------

SORTS: dict[str, Callable[[DashboardRow], Any]] = {
    "name": lambda r: r.patient.full_name.casefold(),
    "therapist": lambda r: r.patient.therapist.casefold(),
    "week": lambda r: r.week.sort_key,
    "month": lambda r: r.month.sort_key,
    "last_activity": lambda r: r.last_activity,
    "ladders": lambda r: max((ladder.level for ladder in r.ladders), default=None),
    "prompts": lambda r: r.pending_prompts,
    "flags": lambda r: len(r.flags),
}


def sort_key(sort: str) -> Callable[[list[DashboardRow]], list[DashboardRow]]:
    """A function sorting rows by ``sort``; empty values always last, then by name."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise InvalidSort(
            f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}, optionally with a leading '-'."
        )
    value = SORTS[column]

    def order(rows: Sequence[DashboardRow]) -> list[DashboardRow]:
        rows = sorted(rows, key=SORTS["name"])
        present = [row for row in rows if value(row) is not None]
        empty = [row for row in rows if value(row) is None]
        return sorted(present, key=value, reverse=descending) + empty

    return order
