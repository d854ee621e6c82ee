"""The detailed export: one CSV row per logged set, scoped, streamed, bounded queries."""

from datetime import date

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.patients.models import Side
from apps.reports.exports.detail import detail_csv, detail_csv_python
from apps.reports.exports.filters import ReportFilters
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.reports.report_factories import SetLogFactory, parse_csv, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


EXPORT = "/reports/adherence/"  # the downloads are posted to the report page


def _detail(client, **extra):
    data = {"start": "2026-02-01", "end": "2026-02-07", "format": "csv", "kind": "detail"}
    return client.post(EXPORT, {**data, **extra})


def _item(patient, **kwargs):
    program = ProgramFactory(patient=patient, start_date=date(2026, 1, 1), name="Hip week")
    return ExerciseItemFactory(program=program, **kwargs)


def test_it_writes_one_row_per_logged_set_with_target_and_actual(admin_a, patient_a):
    item = _item(patient_a, exercise=ExerciseFactory(name="Clam"), sets=3, reps=12)
    SetLogFactory(
        item=item, performed_on=date(2026, 2, 3), side=Side.LEFT, reps=11, pain=4, difficulty=3
    )
    SetLogFactory(item=item, performed_on=date(2026, 2, 3), side=Side.RIGHT, reps=12, pain=1)

    response = _detail(signed_in(admin_a))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "adherence-sets-2026-02-01-to-2026-02-07.csv" in response["Content-Disposition"]
    rows = parse_csv(streamed(response))
    header = rows[0]
    left = dict(zip(header, rows[1], strict=True))
    assert left["Patient"] == "Ann A"
    assert left["Date"] == "2026-02-03"
    assert left["Program"] == "Hip week"
    assert left["Exercise"] == "Clam"
    assert left["Side"] == "left"
    assert (left["Target sets"], left["Target reps"], left["Target hold (s)"]) == ("3", "12", "")
    assert left["Per side"] == "yes"
    assert (left["Reps"], left["Pain (0-10)"], left["Difficulty (1-5)"]) == ("11", "4", "3")
    assert rows[2][header.index("Side")] == "right"
    assert len(rows) == 3


def test_it_keeps_to_the_period_the_clinic_and_the_therapist(
    admin_a, therapist_a, patient_a, patient_b
):
    item = _item(patient_a)
    SetLogFactory(item=item, performed_on=date(2026, 1, 31))  # before the period
    SetLogFactory(item=item, performed_on=date(2026, 2, 1))
    SetLogFactory(item=item, performed_on=date(2026, 2, 7))
    SetLogFactory(item=item, performed_on=date(2026, 2, 8))  # after it
    SetLogFactory(item=_item(patient_b), performed_on=date(2026, 2, 2))  # another clinic
    other = PatientFactory(therapist__clinic=admin_a.clinic, full_name="Other therapist's")
    SetLogFactory(item=_item(other), performed_on=date(2026, 2, 2))

    everyone = parse_csv(streamed(_detail(signed_in(admin_a))))[1:]
    only_a = parse_csv(streamed(_detail(signed_in(admin_a), therapist=str(therapist_a.public_id))))[
        1:
    ]

    assert sorted((r[0], r[2]) for r in everyone) == [
        ("Ann A", "2026-02-01"),
        ("Ann A", "2026-02-07"),
        ("Other therapist's", "2026-02-02"),
    ]
    assert [(r[0], r[2]) for r in only_a] == [("Ann A", "2026-02-01"), ("Ann A", "2026-02-07")]


def test_it_streams_with_the_same_number_of_queries_for_more_sets(
    admin_a, patient_a, django_assert_max_num_queries
):
    client = signed_in(admin_a)
    item = _item(patient_a)
    SetLogFactory(item=item, performed_on=date(2026, 2, 2))
    with django_assert_max_num_queries(15) as few:
        streamed(_detail(client))
    for day in range(1, 8):
        for _ in range(5):
            SetLogFactory(item=item, performed_on=date(2026, 2, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = parse_csv(streamed(_detail(client)))
    assert len(rows) == 1 + 1 + 35


def test_it_is_recorded_once_in_the_audit_log_without_health_data(admin_a, patient_a):
    SetLogFactory(item=_item(patient_a), performed_on=date(2026, 2, 2), pain=9)

    streamed(_detail(signed_in(admin_a)))

    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.detail == "adherence sets csv 2026-02-01..2026-02-07"
    assert entry.actor == admin_a
    assert "Ann" not in entry.detail


def test_it_is_offered_as_csv_only(admin_a):
    response = _detail(signed_in(admin_a), format="pdf")

    assert response.status_code == 400
    assert b"CSV only" in response.content


def test_a_therapist_without_a_name_is_named_by_email_as_in_the_summary(admin_a):
    # The summary names a therapist with no full name by their email (``str(User)``'s
    # rule); the detailed export, on both of its writers, did not: an empty cell.
    nameless = StaffFactory(clinic=admin_a.clinic, full_name="", email="no.name@clinic.example")
    patient = PatientFactory(therapist=nameless, full_name="Nell Nameless")
    SetLogFactory(item=_item(patient), performed_on=date(2026, 2, 3))
    client = signed_in(admin_a)

    detail = parse_csv(streamed(_detail(client)))
    summary = parse_csv(streamed(_detail(client, kind="summary")))

    therapist = detail[0].index("Therapist")
    assert [row[therapist] for row in detail[1:]] == ["no.name@clinic.example"]
    rows = [dict(zip(summary[0], row, strict=False)) for row in summary[1:]]
    assert {r["Therapist"] for r in rows if r.get("Patient") == "Nell Nameless"} == {
        "no.name@clinic.example"
    }
    filters = ReportFilters(
        clinic_id=admin_a.clinic_id, start=date(2026, 2, 1), end=date(2026, 2, 7)
    )
    assert b"".join(detail_csv_python(user=admin_a, filters=filters)) == b"".join(
        detail_csv(user=admin_a, filters=filters)
    )
