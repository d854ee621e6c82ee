"""``manage.py seed_scale`` on a tiny size: the shape of the data set the benchmarks run on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from apps.clinics.models import Clinic, Role, User
from apps.devdata.scale import ScaleSpec, scale_clear, scale_seed
from apps.exercises.models import Exercise
from apps.patients.models import CareSpell, Patient
from apps.programs.adherence_summaries import adherence_summaries
from apps.programs.models import LevelChange, Program, ProgramItem, ProgressionPrompt, SetLog

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
PATIENTS, DAYS = 20, 30


@pytest.fixture
def seeded(db, require_postgres):
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed_scale", f"--patients={PATIENTS}", f"--days={DAYS}", "--panel=5",
            "--clinic=Tiny scale",
        )  # fmt: skip
        yield Clinic.objects.get(name="Tiny scale")


def test_seed_scale_creates_staff_patients_programs_and_items(seeded):
    assert User.objects.filter(clinic=seeded, role=Role.PATIENT).count() == PATIENTS
    assert User.objects.filter(clinic=seeded, role=Role.THERAPIST).count() == PATIENTS // 5
    assert User.objects.filter(clinic=seeded, role=Role.ADMIN).count() == 1
    patients = Patient.objects.filter(clinic=seeded)
    assert patients.count() == PATIENTS
    assert set(patients.values_list("therapist__clinic", flat=True)) == {seeded.pk}
    # Each looked after by their therapist from their creation, as the app records it.
    spells = CareSpell.objects.filter(patient__clinic=seeded, ended_at__isnull=True)
    assert set(spells.values_list("patient_id", "therapist_id", "starts_on")) == {
        (pk, therapist_id, None) for pk, therapist_id in patients.values_list("pk", "therapist_id")
    }
    assert Program.objects.filter(clinic=seeded, is_template=False).count() == PATIENTS
    items = ProgramItem.objects.filter(program__clinic=seeded)
    # Three items each, plus the second row of the one dose edit (patient number 1).
    assert items.count() == PATIENTS * 3 + 1
    assert items.filter(ladder__isnull=False).count() == PATIENTS
    assert items.filter(per_side=False).count() == PATIENTS


def test_seed_scale_logs_carry_the_prescription_and_are_already_evaluated(seeded):
    logs = SetLog.objects.filter(patient__clinic=seeded)
    assert logs.count() > PATIENTS * 50
    assert not logs.filter(evaluated_at__isnull=True).exists()
    assert not logs.filter(performed_on__gte=NOW.date()).exists()
    ladder = logs.filter(item__ladder__isnull=False)
    assert ladder.exists()
    assert not ladder.filter(ladder_level__isnull=True).exists()
    for log in logs.select_related("item")[:200]:
        assert log.target_sets == log.item.sets
        assert log.target_per_side == log.item.per_side
        assert log.side in (("left", "right") if log.item.per_side else ("both",))
        assert log.item.is_active_on(log.performed_on)


def test_seed_scale_logs_about_seventy_percent_of_prescribed_sets(seeded):
    with time_machine.travel(NOW, tick=False):
        ids = Patient.objects.filter(clinic=seeded).values_list("pk", flat=True)
        yesterday = NOW.date() - timedelta(days=1)
        summaries = adherence_summaries(
            patient_ids=ids, start=yesterday - timedelta(days=DAYS), end=yesterday
        )
    prescribed = sum(s.prescribed for s in summaries.values())
    completed = sum(s.completed for s in summaries.values())
    assert prescribed > 0
    assert 0.62 <= completed / prescribed <= 0.78


def test_seed_scale_records_the_level_changes_behind_advanced_ladders(seeded):
    advanced = ProgramItem.objects.filter(program__clinic=seeded, previous_level__isnull=False)
    assert advanced.exists()
    assert LevelChange.objects.filter(item__in=advanced).count() == advanced.count()
    assert ProgressionPrompt.objects.filter(item__in=advanced, status="approved").count() == (
        advanced.count()
    )


def test_seed_scale_refuses_an_existing_clinic_unless_replacing(seeded):
    with pytest.raises(CommandError, match="exists"):
        call_command("seed_scale", "--patients=2", "--days=3", "--clinic=Tiny scale")
    call_command("seed_scale", "--patients=2", "--days=3", "--clinic=Tiny scale", "--replace")
    assert Patient.objects.filter(clinic__name="Tiny scale").count() == 2
    assert Clinic.objects.filter(name="Tiny scale").count() == 1


def _setlog_indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [SetLog._meta.db_table],
        )
        return set(cursor.fetchall())


def test_seed_scale_refuses_a_clinic_name_on_two_lines(db, require_postgres):
    with pytest.raises(CommandError, match="one line"):
        call_command("seed_scale", "--patients=1", "--days=0", "--clinic=Scale\nclinic")

    assert not Clinic.objects.exists()


def test_seed_scale_rebuilds_the_set_log_indexes_it_drops_for_a_big_load(db, require_postgres):
    before = _setlog_indexes()
    result = scale_seed(
        spec=ScaleSpec(patients=3, days=10, clinic_name="Rebuilt", rebuild_indexes=True)
    )
    assert result.set_logs > 0
    assert _setlog_indexes() == before
    scale_clear(clinic=result.clinic)
    assert not Clinic.objects.filter(name="Rebuilt").exists()


def test_seed_scale_uses_the_shared_clamshell_ladder_once_the_library_is_loaded(
    db, require_postgres
):
    call_command("load_library", stdout=StringIO())
    result = scale_seed(spec=ScaleSpec(patients=2, days=3, clinic_name="With library"))
    items = ProgramItem.objects.filter(program__clinic=result.clinic)
    assert items.filter(ladder__isnull=False, ladder__clinic__isnull=True).count() == 2
    assert not Exercise.objects.filter(clinic=result.clinic, key__startswith="scale-clamshell")


@pytest.mark.django_db
def test_seed_scale_explains_that_it_needs_postgresql(monkeypatch):
    from django.db import connections

    # Runs on either database: the command only looks at the connection's vendor.
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", "--small")


def test_seed_scale_will_not_replace_a_clinic_the_audit_log_names(db, require_postgres):
    from apps.audit.services import audit_record

    result = scale_seed(spec=ScaleSpec(patients=2, days=3, clinic_name="Audited"))
    admin = User.objects.get(clinic=result.clinic, role=Role.ADMIN)
    audit_record(actor=admin, action="view", detail="dashboard")
    with pytest.raises(CommandError, match="append-only"):
        call_command("seed_scale", "--patients=2", "--days=3", "--clinic=Audited", "--replace")
    assert Clinic.objects.filter(name="Audited").exists()


def test_seed_scale_writes_the_daily_totals_of_its_logs(seeded):
    from apps.programs.daily_totals import daily_totals_rebuild
    from apps.programs.models import DailyTotal

    def rows():
        return sorted(
            DailyTotal.objects.filter(patient__clinic=seeded).values_list(
                "patient_id", "day", "prescribed", "completed", "logs", "pain_sum", "pain_max"
            )
        )

    seeded_rows = rows()
    logged_days = (
        SetLog.objects.filter(patient__clinic=seeded)
        .values("patient_id", "performed_on")
        .distinct()
    )
    assert len(seeded_rows) == logged_days.count() > 0
    daily_totals_rebuild(clinic_id=seeded.pk)
    assert rows() == seeded_rows


def test_seed_scale_gives_the_same_sessions_whatever_ids_the_sequences_hand_out(
    db, require_postgres
):
    # The second clinic's patients get later ids (as after any other test's inserts); which
    # days each patient trained on must not depend on them.
    first, second = (
        scale_seed(spec=ScaleSpec(patients=10, days=20, clinic_name=name, today=NOW.date()))
        for name in ("First", "Second")
    )
    assert _logs_by_patient_number(first.clinic) == _logs_by_patient_number(second.clinic)


@pytest.mark.parametrize("join", ["enable_hashjoin", "enable_nestloop"])
def test_seed_scale_draws_the_same_sets_whatever_order_the_database_joins_rows_in(
    db, require_postgres, join
):
    # The set logs come from a join; a plan that hands its rows out in another order (here
    # one join method turned off for the second seed) must not change which sets were done.
    spec = {"patients": 10, "days": 20, "today": NOW.date()}
    first = scale_seed(spec=ScaleSpec(clinic_name="First", **spec))
    with connection.cursor() as cursor:
        cursor.execute(f"SET {join} = off")
        try:
            second = scale_seed(spec=ScaleSpec(clinic_name="Second", **spec))
        finally:
            cursor.execute(f"RESET {join}")
    assert _logs_by_patient_number(first.clinic) == _logs_by_patient_number(second.clinic)


def _logs_by_patient_number(clinic: Clinic) -> list[tuple[str, object, int]]:
    logs = SetLog.objects.filter(patient__clinic=clinic).values(
        "patient__full_name", "performed_on"
    )
    counted = logs.annotate(sets=Count("id")).order_by("patient__full_name", "performed_on")
    return [(row["patient__full_name"], row["performed_on"], row["sets"]) for row in counted]


def test_no_set_is_logged_in_the_future_when_seeded_just_after_midnight(db, require_postgres):
    # 00:30 UTC: yesterday on the server's calendar is still today in the Americas, where an
    # evening session of "yesterday" would end hours from now (the load test counted such
    # sets as sent by nobody).
    just_after = datetime(2026, 3, 5, 0, 30, tzinfo=UTC)
    with time_machine.travel(just_after, tick=False):
        call_command("seed_scale", "--patients=120", "--days=3", "--panel=30", "--clinic=Midnight")
    logs = SetLog.objects.filter(patient__clinic__name="Midnight")

    assert logs.filter(patient__time_zone__startswith="America/").exists()
    assert not logs.filter(logged_at__gt=just_after).exists()


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.db_table: m.objects.count() for m in apps.get_models() if m._meta.managed}


def _database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _not_analyzed_since(moment, tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "AND coalesce(greatest(last_analyze, last_autoanalyze), '-infinity') < %s",
            [tables, moment],
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_every_table_the_seed_fills_has_statistics_afterwards(require_postgres):
    # Autovacuum may be off (it is on the benchmark machines): a table left without
    # statistics is planned as if nearly empty, and the inbox read the seeded prompts once per
    # patient from such a plan (450 ms instead of 12).
    before, started = _row_counts(), _database_now()
    with time_machine.travel(NOW, tick=False):
        scale_seed(spec=ScaleSpec(patients=PATIENTS, days=DAYS, clinic_name="Analyzed"))
    filled = [table for table, n in _row_counts().items() if n - before.get(table, 0) >= 10]

    assert "programs_progressionprompt" in filled  # the table that had none
    assert _not_analyzed_since(started, filled) == []
