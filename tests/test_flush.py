"""The flush after a transactional test (tests/conftest.py) empties every table, the
append-only audit trail included, with DELETE rather than one slow TRUNCATE of them all; it
keeps the content types and permissions, which are what Django makes and nothing else."""

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from tests.conftest import KEPT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_flush_empties_every_table_the_audit_trail_included(
    require_postgres, therapist_a, patient_a
):
    audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    assert AuditEntry.objects.exists()

    # As TransactionTestCase does after each test.
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False,
        inhibit_post_migrate=True,
    )  # fmt: skip

    assert {table: n for table, n in _rows().items() if n and table not in KEPT} == {}


def test_the_flush_keeps_the_content_types_and_permissions_django_makes(require_postgres):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    made = {(ct.app_label, ct.model) for ct in ContentType.objects.all()}
    models = {(m._meta.app_label, m._meta.model_name) for m in django_apps.get_models()}
    permissions = set(Permission.objects.values_list("content_type__model", "codename"))
    expected = {
        (m._meta.model_name, f"{action}_{m._meta.model_name}")
        for m in django_apps.get_models()
        for action in m._meta.default_permissions
    } | {
        (m._meta.model_name, codename)
        for m in django_apps.get_models()
        for codename, _ in m._meta.permissions
    }

    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False
    )

    assert made == models
    assert permissions == expected
    assert {(ct.app_label, ct.model) for ct in ContentType.objects.all()} == made
    assert set(Permission.objects.values_list("content_type__model", "codename")) == expected


def test_the_flush_deletes_and_truncates_only_the_tables_that_refuse_delete(require_postgres):
    tables = ["patients_patient", "audit_auditentry"]

    sql = connection.ops.sql_flush(no_style(), tables)

    assert sql[0] == ('LOCK TABLE "patients_patient", "audit_auditentry" IN ACCESS EXCLUSIVE MODE;')
    assert sql[1] == 'DELETE FROM "patients_patient";'
    assert sql[2].startswith("DO $$")
    assert 'THEN TRUNCATE "audit_auditentry";' in sql[2]
