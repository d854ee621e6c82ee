"""A report job and its audit entry (and its outbox row) are saved together or not at all:
``report_job_create`` writes all three in one transaction, so a job is never queued
unaudited and an entry never names a job that does not exist."""

from __future__ import annotations

from datetime import date

import pytest

from apps.audit.models import AuditEntry
from apps.core.models import OutboxMessage
from apps.reports import services
from apps.reports.exports.filters import ReportFilters
from apps.reports.models import ReportJob

pytestmark = pytest.mark.django_db


class Down(Exception):
    pass


def _fail(*args, **kwargs):
    raise Down


def _create(admin):
    filters = ReportFilters(
        clinic_id=admin.clinic_id, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    return services.report_job_create(user=admin, filters=filters, kind="summary", format="csv")


def test_no_job_is_queued_when_its_audit_entry_cannot_be_written(admin_a, monkeypatch):
    monkeypatch.setattr("apps.reports.services.audit_record", _fail)

    with pytest.raises(Down):
        _create(admin_a)

    assert not ReportJob.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_no_audit_entry_is_left_when_the_job_cannot_be_queued(admin_a, monkeypatch):
    monkeypatch.setattr("apps.reports.services.outbox.enqueue", _fail)

    with pytest.raises(Down):
        _create(admin_a)

    assert not ReportJob.objects.exists()
    assert not AuditEntry.objects.exists()
