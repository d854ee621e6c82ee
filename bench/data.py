"""The seeded data set the scenarios run on, reused between runs while it is fresh.

Four clinics, each made by ``manage.py seed_scale``:

* ``full``: 10,000 patients over 365 days, therapists with 200 patients each;
* ``tenth``: 1,000 patients over 365 days, therapists with 20 patients each;
* ``reminders``: 100,000 patients scheduled every day, all due at 12:00 UTC, no history;
* ``reminders-tenth``: 10,000 such patients due at 12:30 UTC.

Logs stop at the day before seeding, so a data set older than ``MAX_AGE_DAYS`` would measure
empty weeks: it is then thrown away (``manage.py flush``, only when the database holds
nothing but bench clinics) and seeded again.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.utils import timezone

from apps.clinics.backends import SIGN_IN_BACKEND
from apps.clinics.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from apps.clinics.models import Clinic, User
from apps.core.sessions import SessionStore

PREFIX = "Bench "
MAX_AGE_DAYS = 2
REMINDER_ZONE = "UTC"
# Patients with history are reminded at 23:59 local: never due while the fan-out runs at
# 12:00-12:30 UTC in any of their time zones, so the fan-out claims only its own cohort.
QUIET_REMINDER = "23:59"


@dataclass(frozen=True)
class Cohort:
    key: str
    patients: int
    days: int
    panel: int = 200
    reminder_time: str = QUIET_REMINDER
    fan_out: bool = False

    @property
    def clinic_name(self) -> str:
        return f"{PREFIX}{self.key} {self.patients}x{self.days}"

    def seed_args(self) -> list[str]:
        args = [
            f"--patients={self.patients}",
            f"--days={self.days}",
            f"--panel={self.panel}",
            f"--clinic={self.clinic_name}",
        ]
        args.append(f"--reminder-time={self.reminder_time}")
        if self.fan_out:
            args += [f"--time-zone={REMINDER_ZONE}", "--every-day"]
        return args


def cohorts(*, small: bool) -> dict[str, Cohort]:
    """The data set of a preset; ``small`` is a tenth of the default (for a quick try)."""
    scale = 10 if small else 1
    days = 90 if small else 365
    return {
        "full": Cohort("full", 10_000 // scale, days),
        "tenth": Cohort("tenth", 1_000 // scale, days, panel=20),
        "reminders": Cohort("reminders", 100_000 // scale, 0, reminder_time="12:00", fan_out=True),
        "reminders-tenth": Cohort(
            "reminders-tenth", 10_000 // scale, 0, reminder_time="12:30", fan_out=True
        ),
    }


def _fresh(clinic: Clinic) -> bool:
    return timezone.now() - clinic.created_at < timedelta(days=MAX_AGE_DAYS)


def ensure_data(wanted: dict[str, Cohort], log: Any = print) -> dict[str, Clinic]:
    """The clinic of every cohort, seeding what is missing (and everything when stale)."""
    # The load test's clinic (bench/load_test.py) is its own: reseeded at every `make load`.
    clinics = {c.name: c for c in Clinic.objects.exclude(name__startswith=f"{PREFIX}load ")}
    stale = [name for name, clinic in clinics.items() if not _fresh(clinic)]
    if stale or any(name not in {c.clinic_name for c in wanted.values()} for name in clinics):
        _flush(clinics, log)
        clinics = {}
    # The cohorts with history first and the biggest last: its index rebuild covers all.
    order = sorted(wanted.values(), key=lambda c: (c.days == 0, c.patients * max(c.days, 1)))
    if any(cohort.clinic_name not in clinics for cohort in order):
        call_command("load_library", stdout=io.StringIO())  # the ladder the patients climb
    for cohort in order:
        if cohort.clinic_name not in clinics:
            started = time.perf_counter()
            log(f"seeding {cohort.clinic_name} ...")
            call_command("seed_scale", *cohort.seed_args())
            log(f"  seeded in {time.perf_counter() - started:.0f} s")
    by_name = {c.name: c for c in Clinic.objects.filter(name__startswith=PREFIX)}
    return {key: by_name[cohort.clinic_name] for key, cohort in wanted.items()}


def _flush(clinics: dict[str, Clinic], log: Any) -> None:
    foreign = [name for name in clinics if not name.startswith(PREFIX)]
    if foreign:
        raise SystemExit(
            f"The database holds clinics that make bench did not create ({', '.join(foreign)}). "
            "Point DATABASE_URL at a database of its own (it seeds about 6 GB)."
        )
    if clinics:
        log("the bench data set is stale or of another size: emptying the database")
        call_command("flush", interactive=False, verbosity=0, allow_cascade=True)


def session_for(user: User) -> str:
    """A signed-in session for ``user``, as the sign-in views would leave it; its cookie."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.is_clinic_staff:
        now = int(time.time())
        store[SIGNED_IN_AT] = now
        store[LAST_SEEN_AT] = now
    store.set_expiry(timedelta(days=1))
    store.create()
    assert store.session_key is not None
    return store.session_key


def delete_logs(client_ids: list[Any]) -> None:
    """Delete the sets a scenario wrote (through the API or directly) and recompute those
    patients' daily totals for the days they touched, so the next scenario, and the
    dashboard's check against its SQL floor, see the seeded data again."""
    from django.db import connection, transaction

    from apps.programs.daily_totals import daily_totals_rebuild
    from apps.programs.models import SetLog

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SetLog._meta.db_table} WHERE client_id = ANY(%s) "  # nosec B608
            "RETURNING patient_id, performed_on",
            [list(client_ids)],
        )
        touched = cursor.fetchall()
        if touched:
            daily_totals_rebuild(
                patient_ids=sorted({patient for patient, _ in touched}),
                start=min(day for _, day in touched),
                end=max(day for _, day in touched),
            )


def settle(*models: Any, log: Any = None) -> float:
    """``VACUUM (ANALYZE)`` the tables a scenario writes and deletes in, before it measures;
    returns the seconds taken.

    A live clinic's PostgreSQL runs autovacuum; these machines' does not (``SHOW
    autovacuum``: off). Without it every run left its deleted rows behind, and the next runs
    measured their tables' growing bloat: after a day of runs the reminders table held 1.9
    million dead rows for 100,000 live ones at most, and the offline batches fell from 62-64 %
    to 45-51 % of direct inserts on the same code (bench/README.md, "Tenth session")."""
    from apps.devdata.scale import vacuum_analyze

    took = vacuum_analyze(models)
    if log is not None:
        log("vacuum and analyze of %s in %.1f s", ", ".join(m.__name__ for m in models), took)
    return took
