"""Reading a patient's data leaves an audit entry naming the patient (pages and API).

The endpoints come from the isolation matrix's expectations: every staff GET whose URL names
a patient's record must record who read whose data."""

import pytest
from rest_framework.throttling import UserRateThrottle

from apps.audit.models import Action, AuditEntry
from tests.conftest import signed_in
from tests.security.expectations import ADMIN, OPERATIONS, PAGES, STAFF
from tests.security.matrix import (
    api_operations,
    api_schema,
    operation_url,
    page_routes,
    page_url,
)

pytestmark = pytest.mark.django_db

PATIENT_RECORDS = {"patient", "program", "set_log", "questionnaire", "progress_report"}
# Reads that show no health data, so need no entry: {name: why}.
NOT_AUDITED = {
    "programs:exercise-search": "lists library exercises to add, not the patient's data",
}


def _reads(rules):
    return {
        name: rule
        for name, rule in rules.items()
        if rule.audience in {STAFF, ADMIN}
        and rule.obj in PATIENT_RECORDS
        and not rule.writes
        and name not in NOT_AUDITED
    }


def _audited(world, before: int) -> bool:
    return AuditEntry.objects.filter(
        sequence__gt=before,
        patient=world.a.patient,
        action__in=(Action.VIEW, Action.EXPORT),
    ).exists()


def _last_sequence() -> int:
    last = AuditEntry.objects.order_by("-sequence").first()
    return last.sequence if last else 0


def test_every_staff_read_of_patient_data_is_audited(world, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    client = signed_in(world.a.admin)
    unaudited = []
    routes = {route.name: route for route in page_routes()}
    for name, rule in _reads(PAGES).items():
        before = _last_sequence()
        response = client.get(page_url(rule, routes[name], world.a))
        if response.status_code == 200 and not _audited(world, before):
            unaudited.append(f"page {name}")
    operations = {op.operation_id: op for op in api_operations(api_schema())}
    for name, rule in _reads(OPERATIONS).items():
        if name not in operations or operations[name].method != "GET":
            continue
        before = _last_sequence()
        response = client.get(operation_url(rule, operations[name], world.a))
        if response.status_code == 200 and not _audited(world, before):
            unaudited.append(f"API {name}")

    assert not unaudited, f"These reads of patient data leave no audit entry: {unaudited}"
