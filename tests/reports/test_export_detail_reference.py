"""The detailed export's bytes are those clinics received before the export was rewritten.

``fixtures/detail_export_reference.csv`` was written by the previous implementation (the
row-by-row COPY, checked equal to the Python writer) from ``tricky_clinic``'s data, its
Therapist column since updated for a therapist with no name (named by email, as in the
summary, where it had been left empty); every writer must still produce it byte for byte:
the Python one, PostgreSQL's on one connection and on two at once. Its patient order is that
of a code-point collation (``C.UTF-8``, the project's databases and SQLite's default).
"""

import threading
from io import BytesIO
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from apps.programs.models import SetLog
from apps.reports.exports import detail_sql
from apps.reports.exports.detail import detail_csv_postgres, detail_csv_python
from apps.reports.exports.write import write_report
from tests.reports.detail_data import PATIENTS, SETS_A_PATIENT, tricky_clinic

REFERENCE = Path(__file__).parent / "fixtures" / "detail_export_reference.csv"


@pytest.mark.django_db
def test_the_detailed_export_is_the_reference_file_byte_for_byte(admin_a):
    filters = tricky_clinic(admin_a)
    out = BytesIO()

    write_report(user=admin_a, filters=filters, kind="detail", format="csv", out=out)

    assert out.getvalue() == REFERENCE.read_bytes()


@pytest.mark.django_db
def test_the_python_writer_writes_the_reference_file(admin_a):
    filters = tricky_clinic(admin_a)

    assert b"".join(detail_csv_python(user=admin_a, filters=filters)) == REFERENCE.read_bytes()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_two_connections_at_once_write_the_reference_file_in_order(admin_a, monkeypatch):
    filters = tricky_clinic(admin_a)
    monkeypatch.setattr(detail_sql, "DETAIL_PATIENT_BATCH", 2)
    streams = []
    real = detail_sql._streams

    def counted(*args, **kwargs):
        streams.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(detail_sql, "_streams", counted)
    seen: list[int] = []

    written = b"".join(detail_csv_postgres(user=admin_a, filters=filters, on_row=seen.append))

    assert written == REFERENCE.read_bytes()
    assert len(streams) == 1, "the batches were read by two connections"
    # Eleven patients (one without sets in the period) in batches of two: six, in order.
    assert len(seen) == 6
    assert seen == sorted(seen)
    assert seen[-1] == len(PATIENTS) * SETS_A_PATIENT
    assert not [t for t in threading.enumerate() if t.name.startswith("detail-export")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_a_download_closed_early_stops_both_connections(admin_a, monkeypatch):
    filters = tricky_clinic(admin_a)
    monkeypatch.setattr(detail_sql, "DETAIL_PATIENT_BATCH", 1)
    chunks = detail_csv_postgres(user=admin_a, filters=filters)

    first = [next(chunks), next(chunks)]
    chunks.close()

    assert first[0].startswith("\ufeffPatient".encode())
    assert not [t for t in threading.enumerate() if t.name.startswith("detail-export")]
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_a_query_failing_on_a_reading_connection_reaches_the_caller(admin_a, monkeypatch):
    filters = tricky_clinic(admin_a)
    monkeypatch.setattr(detail_sql, "DETAIL_PATIENT_BATCH", 3)
    statement = detail_sql._statement(iso_dates=True)
    failing = statement.replace("count(*)", "count(*) / (count(*) - count(*))")
    monkeypatch.setattr(detail_sql, "_statement", lambda iso_dates: failing)

    with pytest.raises(psycopg.errors.DivisionByZero):
        b"".join(detail_csv_postgres(user=admin_a, filters=filters))

    assert not [t for t in threading.enumerate() if t.name.startswith("detail-export")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_both_connections_read_one_snapshot_whatever_is_logged_meanwhile(admin_a, monkeypatch):
    """A set logged while the export runs is in no batch (the file is one moment), even in a
    batch read after it was committed."""
    from tests.reports.report_factories import SetLogFactory

    filters = tricky_clinic(admin_a)
    monkeypatch.setattr(detail_sql, "DETAIL_PATIENT_BATCH", 1)
    before = b"".join(detail_csv_python(user=admin_a, filters=filters))
    logged = threading.Event()
    real_rows = detail_sql._Query.rows
    first_batch: list[list[int]] = []

    def rows_after_the_set_is_logged(self, alias, batch):
        if not first_batch:
            first_batch.append(batch)
        elif batch != first_batch[0]:
            assert logged.wait(20), "the test's set was never logged"
        yield from real_rows(self, alias, batch)

    monkeypatch.setattr(detail_sql._Query, "rows", rows_after_the_set_is_logged)
    # The patient the file ends with (C collation), in a batch read after the first.
    last = SetLog.objects.filter(patient__full_name="anna lower").order_by("pk").first()
    assert last is not None

    def log_a_set(rows: int) -> None:
        if not logged.is_set():
            SetLogFactory(item=last.item, performed_on=last.performed_on, pain=9)
            logged.set()

    written = b"".join(detail_csv_postgres(user=admin_a, filters=filters, on_row=log_a_set))

    assert logged.is_set()
    assert written == before
    after = b"".join(detail_csv_python(user=admin_a, filters=filters))
    assert len(after) > len(before), "the set logged meanwhile is in the next export"
