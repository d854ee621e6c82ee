"""The clinic admin's audit log page and CSV export."""

import csv
import io

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.clinics.services import clinic_update
from tests.conftest import signed_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(therapist_a, admin_a, patient_a, patient_b):
    with time_machine.travel("2026-03-01 10:00:00Z", tick=False):
        audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    with time_machine.travel("2026-03-05 10:00:00Z", tick=False):
        audit_record(actor=admin_a, action=Action.CHANGE, patient=patient_a, target=patient_a)
    audit_record(actor=patient_b.therapist, action=Action.VIEW, patient=patient_b, target=patient_b)


def shown(response):
    return [entry.sequence for entry in response.context["page"]]


def test_an_admin_sees_their_clinics_entries_newest_first(admin_a, entries):
    response = signed_in(admin_a).get("/audit/")

    assert response.status_code == 200
    assert shown(response) == [2, 1]
    assert b"Ben B" not in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "change"}, [2]),
        ({"date_from": "2026-03-02"}, [2]),
        ({"date_to": "2026-03-01"}, [1]),
    ],
)
def test_entries_can_be_filtered(admin_a, entries, query, expected):
    assert shown(signed_in(admin_a).get("/audit/", query)) == expected


def test_entries_can_be_filtered_by_patient_and_actor(admin_a, therapist_a, patient_a, entries):
    other = PatientFactory(therapist=therapist_a)
    audit_record(actor=admin_a, action=Action.VIEW, patient=other, target=other)
    client = signed_in(admin_a)

    assert shown(client.get("/audit/", {"patient": str(patient_a.public_id)})) == [2, 1]
    assert shown(client.get("/audit/", {"actor": str(therapist_a.public_id)})) == [1]


def test_a_foreign_patient_or_bad_date_is_a_400(admin_a, patient_b, entries):
    client = signed_in(admin_a)

    assert client.get("/audit/", {"patient": str(patient_b.public_id)}).status_code == 400
    assert client.get("/audit/", {"date_from": "yesterday"}).status_code == 400


@pytest.mark.parametrize(
    ("field", "day"),
    [("date_to", "9999-12-31"), ("date_from", "9999-12-31"), ("date_from", "0001-01-01")],
)
@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
def test_a_date_out_of_range_is_a_400_on_its_field(admin_a, entries, url, field, day):
    # The last day there is has no day after it to end the range on (it was a 500).
    response = signed_in(admin_a).get(url, {field: day})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Give a date from 2000 to 2999."]
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_page_is_for_clinic_admins_only(therapist_a, patient_a, client):
    assert signed_in(therapist_a).get("/audit/").status_code == 403
    assert signed_in(patient_a.user).get("/audit/").status_code == 403
    assert client.get("/audit/").status_code == 302


def test_the_page_runs_a_fixed_number_of_queries(
    admin_a, therapist_a, patient_a, django_assert_max_num_queries
):
    for _ in range(30):
        audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    client = signed_in(admin_a)

    with django_assert_max_num_queries(12):
        client.get("/audit/")


def test_the_csv_export_lists_the_clinics_entries_and_is_audited(admin_a, patient_a, entries):
    response = signed_in(admin_a).get("/audit/export.csv", {"patient": str(patient_a.public_id)})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    # The export is recorded before it runs, so it lists itself first. Numbers count this
    # clinic's entries only: clinic B's entry in between takes no number here.
    assert [(row["sequence"], row["action"]) for row in rows] == [
        ("3", "export"),
        ("2", "change"),
        ("1", "view"),
    ]
    assert {row["patient_ref"] for row in rows} == {str(patient_a.public_id)}
    export = AuditEntry.objects.order_by("-sequence").first()
    assert (export.action, export.actor, export.detail) == (Action.EXPORT, admin_a, "audit log CSV")


def test_csv_cells_cannot_become_spreadsheet_formulas(admin_a, patient_a):
    audit_record(actor=admin_a, action=Action.VIEW, patient=patient_a, detail="=HYPERLINK(1)")

    response = signed_in(admin_a).get("/audit/export.csv")
    content = b"".join(response.streaming_content).decode()

    assert "'=HYPERLINK(1)" in content


def test_the_csv_export_is_for_clinic_admins_only(therapist_a):
    assert signed_in(therapist_a).get("/audit/export.csv").status_code == 403
    assert not AuditEntry.objects.exists()


def _people(response) -> set[str]:
    return {str(user) for user in response.context["form"].fields["actor"].queryset}


def test_an_operator_who_acted_in_the_clinic_can_be_chosen_as_who(admin_a, therapist_a, clinic_a):
    """Operators have no clinic, yet their changes in Django admin are in the clinic's log."""
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    clinic_update(clinic=clinic_a, actor=operator, name="Lane")
    audit_record(actor=therapist_a, action=Action.VIEW, detail="dashboard")
    client = signed_in(admin_a)

    assert "ops@example.org" in _people(client.get("/audit/"))
    response = client.get("/audit/", {"actor": str(operator.public_id)})
    assert response.status_code == 200
    assert [entry.actor for entry in response.context["page"]] == [operator]


def test_who_offers_nobody_who_never_acted_in_the_clinic(admin_a, clinic_b, therapist_b):
    elsewhere = User.objects.create_superuser("ops@example.org", "a long operator password")
    clinic_update(clinic=clinic_b, actor=elsewhere, name="Lane")
    idle = User.objects.create_superuser("idle@example.org", "a long operator password")
    client = signed_in(admin_a)

    people = _people(client.get("/audit/"))

    assert people == {str(admin_a)}
    for person in (elsewhere, idle, therapist_b):
        assert client.get("/audit/", {"actor": str(person.public_id)}).status_code == 400


def test_dates_the_wrong_way_round_are_refused_in_the_adherence_reports_words(admin_a, entries):
    response = signed_in(admin_a).get(
        "/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["date_to"] == [
        "The end date must be on or after the start date."
    ]
