"""A clinic-scale data set for benchmarks, generated inside PostgreSQL.

Every row is produced by ``INSERT … SELECT`` over ``generate_series`` so nothing crosses the
wire row by row: ten thousand patients over a year (about fifteen million set logs) load in a
few minutes on two cores. Randomness is seeded (``setseed``); which days a patient trained
and which sets they did come from a hash of the patient number, the day (and the item, set
and side), so the same arguments give the same sessions and sets whatever ids the sequences
hand out and whatever order the database joins the rows in.

The shape: one clinic, therapists with ``panel`` patients each, one program per patient with
three items (a clamshell-ladder item and a per-side single exercise, then either a two-sided
reps exercise or a hold), weekdays every day, Monday to Friday or Monday/Wednesday/Friday,
and about ``adherence`` of the prescribed sets logged. A tenth of the patients (the "recent"
cohort, patient number divisible by 10) started a tenth of the period ago. Some ladder items
advanced a level part-way (with the approved prompt and the level change), and one patient
in twenty had a dose edit (two item rows on one track). Logs stop at yesterday, carry the
prescription snapshot and ``evaluated_at``, so the sweep never wakes up on them.
"""

from __future__ import annotations

import time as clock
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from apps.audit.models import AuditEntry
from apps.clinics.models import Clinic, Role, User
from apps.devdata.scale_library import Library, scale_library
from apps.devdata.scale_sql import (
    CLEAR_SQL,
    ITEM_PLAN_SQL,
    PLAN_SQL,
    SESSIONS_SQL,
    SET_LOG_COLUMNS,
    SET_LOG_FROM,
    indexes_dropped,
    insert_select_sql,
)
from apps.exercises.models import Exercise, Ladder
from apps.patients.models import CareSpell, Patient
from apps.programs.daily_totals import daily_totals_rebuild
from apps.programs.models import (
    DailyTotal,
    LevelChange,
    Program,
    ProgramItem,
    ProgressionPrompt,
    SetLog,
)

__all__ = [
    "PRESETS",
    "ScaleResult",
    "ScaleSpec",
    "insert_select_sql",
    "scale_clear",
    "scale_seed",
    "vacuum_analyze",
]

TIME_ZONES = (
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
)
# Weekday bitmasks (Monday = bit 0) and how many patients get each: every day, Monday to
# Friday, Monday/Wednesday/Friday. Together with ten prescribed units a day and 70 %
# adherence this gives about 1,600 logs per patient-year.
WEEKDAY_MIX = ((0b1111111, 20), (0b0011111, 40), (0b0010101, 40))
# A done session logs each prescribed set with this probability; the chance of doing the
# session at all is then chosen so the product is the requested adherence.
SET_RATE = 0.93
# Chance of a session on an unscheduled day (activity, not adherence) and of one extra set
# beyond the prescription (capped in adherence).
BONUS_SESSION_RATE = 0.04
EXTRA_SET_RATE = 0.03
# Above this many logs the set-log indexes and foreign keys are dropped for the load and
# rebuilt after: building an index once is far cheaper than fifteen million inserts into it.
REBUILD_INDEXES_ABOVE = 200_000
PRESETS = {"default": (10_000, 365), "small": (1_000, 90)}
# Django's marker for "no password" ("!" then random text): patients sign in by link.
UNUSABLE_PASSWORD_SQL = "'!' || md5(n::text || random()::text)"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class ScaleSpec:
    """What to generate. ``days`` of history end yesterday; ``today`` is left unlogged."""

    patients: int
    days: int
    clinic_name: str = "Scale clinic"
    panel: int = 200
    adherence: float = 0.7
    time_zone: str | None = None
    reminder_time: time | None = None
    weekdays: int | None = None  # one weekday mask for every program (default: the mix)
    rebuild_indexes: bool | None = None  # None: when the load is big enough to pay off
    seed: float = 0.42
    today: date = field(default_factory=timezone.localdate)


@dataclass
class ScaleResult:
    clinic: Clinic
    patients: int = 0
    items: int = 0
    set_logs: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def scale_seed(*, spec: ScaleSpec, log: Any = None) -> ScaleResult:
    """Create the clinic of ``spec`` with all its rows; PostgreSQL only, atomic."""
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_scale generates data inside PostgreSQL; set DATABASE_URL")
    with transaction.atomic():
        result = _seed(spec, log or (lambda message: None))
    if not connection.in_atomic_block:
        _vacuum(result, log)
    return result


def _seed(spec: ScaleSpec, log: Any) -> ScaleResult:
    clinic = Clinic.objects.create(name=spec.clinic_name, time_zone=spec.time_zone or TIME_ZONES[0])
    result = ScaleResult(clinic=clinic)
    library = scale_library(clinic=clinic)
    therapists = _create_staff(clinic, spec)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scale_plan, scale_item, scale_session")
        cursor.execute("SELECT setseed(%s)", [spec.seed])
        result.patients = _timed(
            result, log, "patients", lambda: _insert_patients(cursor, spec, clinic, therapists)
        )
        result.items = _timed(
            result, log, "program items", lambda: _insert_programs(cursor, spec, clinic, library)
        )
        _timed(result, log, "progressions", lambda: _insert_progressions(cursor))
        result.set_logs = _timed(result, log, "set logs", lambda: _insert_set_logs(cursor, spec))
    _timed(result, log, "daily totals", lambda: daily_totals_rebuild(clinic_id=clinic.pk))
    return result


def _timed(result: ScaleResult, log: Any, name: str, step: Any) -> int:
    started = clock.perf_counter()
    count = int(step())
    result.timings[name] = clock.perf_counter() - started
    log(f"{name}: {count:,} rows in {result.timings[name]:.1f} s")
    return count


def _vacuum(result: ScaleResult, log: Any) -> None:
    """Set hint bits and the visibility map now, as autovacuum would in a live clinic."""
    # Every table the seed fills: a table left without statistics is planned as if nearly
    # empty (the inbox's decided prompts, read once per patient from such a plan, took 450 ms
    # instead of 12; bench/README.md, "Tenth session").
    tables = [
        SetLog,
        DailyTotal,
        Patient,
        CareSpell,
        Program,
        ProgramItem,
        ProgressionPrompt,
        LevelChange,
        User,
    ]
    result.timings["vacuum"] = vacuum_analyze(tables)
    if log:
        log(f"vacuum and analyze in {result.timings['vacuum']:.1f} s")


def vacuum_analyze(tables: Sequence[type[models.Model]]) -> float:
    """``VACUUM (ANALYZE)`` these models' tables (outside a transaction); the seconds taken.
    What autovacuum does in a live clinic, for databases that run without it."""
    started = clock.perf_counter()
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return clock.perf_counter() - started


def scale_clear(*, clinic: Clinic) -> None:
    """Delete a generated clinic and everything in it, the set logs by plain SQL first.

    Refused (``RuntimeError``) once the audit log names the clinic: audit entries are
    append-only and protect the users they name. Empty the database instead (``make bench``
    does, with ``manage.py flush``).
    """
    audited = AuditEntry.objects.filter(Q(clinic=clinic) | Q(actor__clinic=clinic))
    if audited.exists():
        raise RuntimeError(
            f"{clinic.name!r} has audit entries, which are append-only: use another --clinic "
            "name or an emptied database"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in CLEAR_SQL:
            cursor.execute(statement, {"clinic": clinic.pk})
        Patient.objects.filter(clinic=clinic).delete()
        Program.objects.filter(clinic=clinic).delete()
        Ladder.objects.filter(clinic=clinic).delete()
        Exercise.objects.filter(clinic=clinic).delete()
        User.objects.filter(clinic=clinic).delete()
        clinic.delete()


# --- Staff and patients ---------------------------------------------------------------------


def _domain(spec: ScaleSpec) -> str:
    return f"{slugify(spec.clinic_name) or 'scale'}.scale.example"


def _create_staff(clinic: Clinic, spec: ScaleSpec) -> list[int]:
    """One admin and enough therapists for ``panel`` patients each; returns therapist ids."""
    domain = _domain(spec)
    User.objects.create_user(
        email=f"admin@{domain}", full_name="Scale admin", clinic=clinic, role=Role.ADMIN
    )
    count = max(1, -(-spec.patients // spec.panel))
    staff = [
        User(
            email=f"therapist{n}@{domain}",
            full_name=f"Therapist {n}",
            clinic=clinic,
            role=Role.THERAPIST,
            password="!" + uuid.uuid4().hex,  # unusable: the bench signs in by session
        )
        for n in range(1, count + 1)
    ]
    return [user.pk for user in User.objects.bulk_create(staff)]


def _insert_patients(
    cursor: CursorWrapper, spec: ScaleSpec, clinic: Clinic, therapists: Sequence[int]
) -> int:
    users = insert_select_sql(
        User,
        {"password": UNUSABLE_PASSWORD_SQL, "email": "NULL"}
        | {"full_name": "'Scale patient ' || lpad(n::text, 6, '0')", "clinic_id": "%(clinic)s"}
        | {"role": f"'{Role.PATIENT}'", "date_joined": "%(joined)s"},
        "FROM generate_series(1, %(patients)s) AS n ORDER BY n",
    )
    params: dict[str, Any] = {"clinic": clinic.pk, "domain": _domain(spec)}
    cursor.execute(users, params | {"patients": spec.patients, "joined": _start_ts(spec)})
    _create_plan_table(cursor, spec, clinic, therapists)
    patients = insert_select_sql(
        Patient,
        {"user_id": "user_id", "clinic_id": "%(clinic)s", "therapist_id": "therapist_id"}
        | {"full_name": "full_name", "email": "'patient' || n || '@' || %(domain)s"}
        | {"year_of_birth": "1940 + (n * 37) %% 60", "time_zone": "tz"}
        | {"reminder_time": "%(reminder)s", "created_at": "start_date::timestamptz"},
        "FROM scale_plan ORDER BY n",
    )
    cursor.execute(patients, params | {"reminder": spec.reminder_time})
    cursor.execute(
        "UPDATE scale_plan s SET patient_id = p.id "
        "FROM patients_patient p WHERE p.user_id = s.user_id"
    )
    # Who looks after each patient, from their creation, as adding them in the app records.
    spells = insert_select_sql(
        CareSpell,
        {"patient_id": "patient_id", "therapist_id": "therapist_id"}
        | {"started_at": "start_date::timestamptz"},
        "FROM scale_plan ORDER BY n",
    )
    cursor.execute(spells)
    return spec.patients


def _start_ts(spec: ScaleSpec) -> Any:
    return timezone.now() - timedelta(days=spec.days + 1)


def _create_plan_table(
    cursor: CursorWrapper, spec: ScaleSpec, clinic: Clinic, therapists: Sequence[int]
) -> None:
    """One row per patient with everything the later steps derive from the patient number."""
    on_day = _session_rate(spec.adherence)
    cursor.execute(
        PLAN_SQL,
        {
            "therapists": list(therapists),
            "panel": spec.panel,
            "count": len(therapists),
            "zone": spec.time_zone,
            "zones": list(TIME_ZONES),
            "zone_count": len(TIME_ZONES),
            "today": spec.today,
            "days": spec.days,
            "every_day": WEEKDAY_MIX[0][1],
            "weekdays": WEEKDAY_MIX[0][1] + WEEKDAY_MIX[1][1],
            "mask": spec.weekdays,
            "mask0": WEEKDAY_MIX[0][0],
            "mask1": WEEKDAY_MIX[1][0],
            "mask2": WEEKDAY_MIX[2][0],
            "on_day": on_day,
            "clinic": clinic.pk,
            "role": Role.PATIENT,
        },
    )


def _session_rate(adherence: float) -> float:
    """Mean chance of doing a scheduled session so that sessions x sets ≈ ``adherence``."""
    return adherence / SET_RATE


# --- Programs and items ---------------------------------------------------------------------


def _insert_programs(cursor: CursorWrapper, spec: ScaleSpec, clinic: Clinic, lib: Library) -> int:
    programs = insert_select_sql(
        Program,
        {"clinic_id": "%(clinic)s", "patient_id": "patient_id", "created_by_id": "therapist_id"}
        | {"name": "'Hip strength'", "is_template": "false", "weekdays": "weekdays"}
        | {"start_date": "start_date", "created_at": "start_date::timestamptz"}
        | {"updated_at": "start_date::timestamptz"},
        "FROM scale_plan ORDER BY n",
    )
    cursor.execute(programs, {"clinic": clinic.pk})
    cursor.execute(
        "UPDATE scale_plan s SET program_id = p.id FROM programs_program p "
        "WHERE p.patient_id = s.patient_id"
    )
    cursor.execute("ANALYZE scale_plan")
    _create_item_plan(cursor, spec, lib)
    cursor.execute(
        insert_select_sql(ProgramItem, _item_columns(), "FROM scale_item ORDER BY n, pos")
    )
    cursor.execute(
        "UPDATE scale_item i SET item_id = p.id FROM programs_programitem p "
        "WHERE p.program_id = i.program_id AND p.position = i.pos "
        "AND p.active_from IS NOT DISTINCT FROM i.active_from"
    )
    cursor.execute("ANALYZE scale_item")
    cursor.execute("SELECT count(*) FROM scale_item")
    return int(cursor.fetchone()[0])


def _item_columns() -> dict[str, str]:
    return {
        "program_id": "program_id",
        "track": "track",
        "active_from": "active_from",
        "active_until": "active_until",
        "position": "pos",
        "exercise_id": "exercise_id",
        "ladder_id": "ladder_id",
        "current_level": "current_level",
        "previous_level": "previous_level",
        "level_since": "level_since",
        "sets": "sets",
        "reps": "reps",
        "hold_seconds": "hold",
        "per_side": "per_side",
    }


def _create_item_plan(cursor: CursorWrapper, spec: ScaleSpec, lib: Library) -> None:
    """Three items a patient; one patient in twenty had the second item's dose raised."""
    cursor.execute(
        ITEM_PLAN_SQL,
        {
            "top": max(lib.levels),
            "today": spec.today,
            "ladder": lib.ladder.pk,
            "single": lib.single_per_side.pk,
            "two_sided": lib.two_sided.pk,
            "hold": lib.hold.pk,
            "single_reps": lib.single_per_side.default_reps or 12,
            "two_reps": lib.two_sided.default_reps or 10,
            "hold_seconds": lib.hold.default_hold_seconds or 30,
        },
    )
    cursor.execute(
        "ALTER TABLE scale_item ADD COLUMN prev_exercise bigint, ADD COLUMN cur_exercise bigint"
    )
    cursor.execute(
        "UPDATE scale_item SET cur_exercise = (%(levels)s::bigint[])[current_level], "
        "prev_exercise = (%(levels)s::bigint[])[previous_level] WHERE ladder_id IS NOT NULL",
        {"levels": [lib.levels[level] for level in sorted(lib.levels)]},
    )


def _insert_progressions(cursor: CursorWrapper) -> int:
    """The approved prompt and level change behind every ladder item that advanced."""
    cursor.execute(
        insert_select_sql(
            ProgressionPrompt,
            {"patient_id": "patient_id", "item_id": "item_id", "track": "track"}
            | {"level": "previous_level", "next_level": "current_level"}
            | {"status": "'approved'", "decided_by_id": "therapist_id"}
            | {"decided_at": "(level_since - 1)::timestamptz"}
            | {"created_at": "(level_since - 1)::timestamptz"},
            "FROM scale_item WHERE previous_level IS NOT NULL",
        )
    )
    cursor.execute(
        insert_select_sql(
            LevelChange,
            {"item_id": "item_id", "from_level": "previous_level", "to_level": "current_level"}
            | {"effective_on": "level_since", "changed_by_id": "therapist_id"}
            | {"reason": "'You reached 20 repetitions at the previous level.'"}
            | {"created_at": "(level_since - 1)::timestamptz"},
            "FROM scale_item WHERE previous_level IS NOT NULL",
        )
    )
    return int(cursor.rowcount) * 2


# --- Set logs -------------------------------------------------------------------------------


def _insert_set_logs(cursor: CursorWrapper, spec: ScaleSpec) -> int:
    params: dict[str, Any] = {"today": spec.today, "bonus": BONUS_SESSION_RATE}
    cursor.execute(SESSIONS_SQL, params)
    cursor.execute("ANALYZE scale_session")
    cursor.execute("SELECT count(*) FROM scale_session")
    sessions = int(cursor.fetchone()[0])
    expected = sessions * 8
    statement = insert_select_sql(SetLog, SET_LOG_COLUMNS, SET_LOG_FROM)
    rebuild = spec.rebuild_indexes
    if rebuild is None:
        rebuild = expected > REBUILD_INDEXES_ABOVE
    with indexes_dropped(cursor, SetLog, enabled=rebuild):
        cursor.execute(
            statement, {"set_rate": SET_RATE, "extra": EXTRA_SET_RATE, "now": timezone.now()}
        )
        count = int(cursor.rowcount)
    return count
