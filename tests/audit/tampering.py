"""Tamper with audit rows the way someone with direct database access could."""

from contextlib import contextmanager

from django.db import connection

TRIGGER = "audit_entry_append_only"


@contextmanager
def trigger_disabled():
    """On PostgreSQL only a table owner can do this; inside a test it is rolled back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must run first, or PostgreSQL refuses the ALTER.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE audit_auditentry ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw_update(pk, **values):
    from apps.audit.models import AuditEntry

    with trigger_disabled():
        AuditEntry._base_manager.filter(pk=pk).update(**values)


def raw_delete(pk):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [pk])
