"""``prepared_cursor`` prepares its statements on PostgreSQL (PostgreSQL's own plan cache mode
decides when a plan is reused), still counts them, and is a plain cursor behind a pooler and
on SQLite; ``insert_row`` writes what ``save(force_insert=True)`` writes."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.prepared import insert_row, pipelined, prepared_cursor, prepares
from apps.programs.models import SetLog
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db

# A statement of its own, so the test finds it among the connection's prepared statements.
PROBE = "SELECT %s::int + 41 AS prepared_probe"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _plans(marker: str) -> tuple[int, int]:
    """(generic, custom) plans made so far for the prepared statement holding ``marker``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return cursor.fetchone()


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.usefixtures("require_postgres")
def test_a_statement_is_prepared_once_and_reused_on_postgresql():
    for value in (1, 2, 3):
        with prepared_cursor() as cursor:
            cursor.execute(PROBE, [value])
            assert cursor.fetchone()[0] == value + 41

    probes = [sql for sql in _prepared_statements() if "prepared_probe" in sql]
    assert len(probes) == 1


@pytest.mark.usefixtures("require_postgres")
def test_a_key_lookup_reuses_its_plan_and_nothing_else_is_prepared():
    # PostgreSQL's default (auto): five runs with plans of their own, then the generic plan
    # when it costs no more than theirs, as for a primary-key read.
    for value in range(8):
        with prepared_cursor() as cursor:
            cursor.execute(
                "SELECT expire_date AS plan_probe FROM django_session WHERE session_key = %s",
                [str(value)],
            )
    assert _plan_cache_mode() == "auto"
    assert _plans("plan_probe") == (3, 5)
    with connection.cursor() as cursor:
        for _ in range(10):  # Django's own cursor binds on the client: never prepared
            cursor.execute("SELECT %s::int AS plain_probe", [1])

    assert not [sql for sql in _prepared_statements() if "plain_probe" in sql]


@pytest.mark.usefixtures("require_postgres")
def test_generic_statements_run_on_the_generic_plan_from_the_first_run_and_only_they():
    statement = "SELECT count(*) AS generic_probe FROM django_session WHERE expire_date > %s"
    with transaction.atomic():
        for _ in range(3):
            with prepared_cursor(generic=True) as cursor:
                assert _plan_cache_mode() == "force_generic_plan"
                cursor.execute(statement, [timezone.now()])
        assert _plan_cache_mode() == "auto"  # what follows in the transaction plans as before
        with prepared_cursor() as cursor:
            cursor.execute(statement.replace("generic_probe", "auto_probe"), [timezone.now()])

    assert _plans("generic_probe") == (3, 0)
    assert _plans("auto_probe") == (0, 1)


@pytest.mark.usefixtures("require_postgres")
def test_a_failed_generic_statement_leaves_the_setting_to_its_rollback():
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        prepared_cursor(generic=True) as cursor,
    ):
        cursor.execute("INSERT INTO django_session VALUES (NULL, '', now())")

    assert _plan_cache_mode() == "auto"


def test_generic_statements_are_counted_with_the_two_settings_on_postgresql():
    statement = PROBE if connection.vendor == "postgresql" else "SELECT %s + 41"
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        prepared_cursor(generic=True) as cursor,
    ):
        cursor.execute(statement, [1])
        assert cursor.fetchone()[0] == 42

    # The statement, and on PostgreSQL the setting before it and after.
    assert len(queries) == (3 if connection.vendor == "postgresql" else 1)


def test_its_statements_are_counted_like_any_other():
    statement = PROBE if connection.vendor == "postgresql" else "SELECT %s + 41"
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute(statement, [7])
        assert cursor.fetchone()[0] == 48

    assert len(queries) == 1


@pytest.mark.usefixtures("require_postgres")
@override_settings(DATABASE_POOLED=True)
def test_behind_a_pooler_nothing_is_prepared():
    assert not prepares()
    with prepared_cursor() as cursor:
        cursor.execute(PROBE.replace("prepared_probe", "pooled_probe"), [1])

    assert not [sql for sql in _prepared_statements() if "pooled_probe" in sql]


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_insert_row_writes_what_save_writes():
    item = ExerciseItemFactory()
    now = timezone.now()
    fields = {
        "patient_id": item.program.patient_id, "item": item, "performed_on": now.date(),
        "side": "both", "reps": 12, "pain": 3, "note": "knee clicked, no pain",
        "exercise_id": item.exercise_id, "target_sets": 3, "target_reps": 12, "logged_at": now,
    }  # fmt: skip
    saved = SetLog(client_id=uuid.uuid4(), **fields)
    saved.save(force_insert=True)
    inserted = SetLog(client_id=uuid.uuid4(), **fields)

    insert_row(inserted)

    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert inserted._state.adding is False
    assert inserted._state.db == "default"
    stored = _values(SetLog.objects.get(pk=inserted.pk))
    expected = _values(SetLog.objects.get(pk=saved.pk))
    for differs in ("id", "public_id", "client_id"):
        stored.pop(differs), expected.pop(differs)
    assert stored == expected


def test_insert_row_writes_json_and_defaults():
    message = OutboxMessage(
        task="apps.x.tasks.y", args=[1, {"a": "é"}], created_at=timezone.now(),
        available_at=timezone.now(),
    )  # fmt: skip

    insert_row(message)

    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.args == [1, {"a": "é"}]
    assert (stored.status, stored.attempts, stored.key) == ("pending", 0, "")


def test_a_duplicate_is_djangos_integrity_error():
    item = ExerciseItemFactory()
    client_id = uuid.uuid4()
    fields = {
        "client_id": client_id, "patient_id": item.program.patient_id, "item": item,
        "performed_on": timezone.now().date(), "side": "both", "reps": 12, "pain": 3,
        "exercise_id": item.exercise_id, "target_sets": 3,
    }  # fmt: skip
    insert_row(SetLog(**fields))

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(SetLog(**fields))
    assert SetLog.objects.filter(client_id=client_id).count() == 1


def test_a_computed_value_is_counted_by_the_insert_and_set_on_the_object():
    item = ExerciseItemFactory()
    day = timezone.now().date()
    count = "SELECT COUNT(*) + 1 FROM patients_setlog WHERE item_id = %s AND performed_on = %s"
    numbers = []
    for _ in range(3):
        log = SetLog(
            client_id=uuid.uuid4(), patient_id=item.program.patient_id, item=item,
            performed_on=day, side="left", reps=10, pain=1, exercise_id=item.exercise_id,
            target_sets=2, set_number=99,
        )  # fmt: skip
        insert_row(log, computed={"set_number": (count, [item.pk, day])})
        numbers.append(log.set_number)

    assert numbers == [1, 2, 3]
    stored = SetLog.objects.filter(item=item).order_by("pk").values_list("set_number", flat=True)
    assert list(stored) == [1, 2, 3]


def test_statements_sent_together_run_in_order_and_their_errors_are_djangos():
    item = ExerciseItemFactory()
    fields = {
        "patient_id": item.program.patient_id, "item": item, "side": "both", "reps": 12,
        "pain": 3, "exercise_id": item.exercise_id, "target_sets": 3,
        "performed_on": timezone.now().date(),
    }  # fmt: skip
    taken = uuid.uuid4()
    with transaction.atomic(), pipelined():
        insert_row(SetLog(client_id=taken, **fields))
        with connection.cursor() as cursor:
            cursor.execute("UPDATE patients_setlog SET reps = 13 WHERE pain = 3")
    assert SetLog.objects.get(client_id=taken).reps == 13

    def update_then_insert_a_duplicate():
        with transaction.atomic(), pipelined():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE patients_setlog SET reps = 14 WHERE pain = 3")
            insert_row(SetLog(client_id=taken, **fields))

    with pytest.raises(IntegrityError):
        update_then_insert_a_duplicate()
    assert SetLog.objects.get(client_id=taken).reps == 13  # the whole transaction undone
