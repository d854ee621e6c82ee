"""A patient's logged sets and adherence through the API, for every role.

The API's description promises staff tokens "logs and adherence, scoped to your clinic"; by
DESIGN.md a therapist watches their clinic's patients' adherence and pain. So any staff member
of the patient's clinic (session or token) reads them; another clinic's staff get a 404, the
patient a 403 (their own are under /me/), anyone signed out a 401.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.audit.models import Action, AuditEntry
from apps.clinics.tokens import api_token_create
from apps.patients.models import Side
from apps.programs.logs import set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory, StaffFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def logged(patient_a):
    """Patient A: one set a day of 1 prescribed (not per side) on Monday and Tuesday, both
    done; the program started on Monday 2 March."""
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 2))
    item = ExerciseItemFactory(program=program, sets=1, reps=10, per_side=False)
    for day, pain in ((date(2026, 3, 2), 2), (date(2026, 3, 3), 4)):
        set_log_record(
            patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=day,
            side=Side.BOTH, pain=pain, reps=10,
        )  # fmt: skip
    return patient_a


def clients(therapist_a, admin_a, therapist_b, admin_b, patient_a) -> dict[str, Client]:
    colleague = StaffFactory(clinic=therapist_a.clinic)  # not the patient's own therapist
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="EHR sync")
    return {
        "their therapist": signed_in(therapist_a),
        "a colleague": signed_in(colleague),
        "a clinic admin": signed_in(admin_a),
        "their therapist's token": Client(HTTP_AUTHORIZATION=f"Bearer {secret}"),
        "another clinic's therapist": signed_in(therapist_b),
        "another clinic's admin": signed_in(admin_b),
        "the patient": signed_in(patient_a.user),
        "signed out": Client(),
    }


EXPECTED = {
    "their therapist": 200,
    "a colleague": 200,
    "a clinic admin": 200,
    "their therapist's token": 200,
    "another clinic's therapist": 404,
    "another clinic's admin": 404,
    "the patient": 403,
    "signed out": 401,
}


@pytest.mark.parametrize("what", ["logs", "adherence"])
def test_each_role_reads_a_patients_logs_and_adherence_as_the_role_rules_say(
    logged, therapist_a, admin_a, therapist_b, admin_b, what
):
    url = f"/api/v1/patients/{logged.public_id}/{what}/"
    every = clients(therapist_a, admin_a, therapist_b, admin_b, logged)

    statuses = {role: client.get(url).status_code for role, client in every.items()}

    assert statuses == EXPECTED


def test_the_logs_are_newest_first_a_page_at_a_time_and_the_read_is_audited(logged, therapist_a):
    response = signed_in(therapist_a).get(
        f"/api/v1/patients/{logged.public_id}/logs/", {"limit": 1}
    )

    body = response.json()
    assert body["count"] == 2
    assert [(r["performed_on"], r["pain"], r["reps"]) for r in body["results"]] == [
        ("2026-03-03", 4, 10)
    ]
    assert "offset=1" in body["next"]
    assert AuditEntry.objects.filter(patient=logged, action=Action.VIEW, actor=therapist_a).exists()


def test_adherence_is_the_dashboards_figure_over_the_period_asked(logged, therapist_a):
    url = f"/api/v1/patients/{logged.public_id}/adherence/"
    client = signed_in(therapist_a)

    whole = client.get(url).json()
    monday = client.get(url, {"start": "2026-03-02", "end": "2026-03-02"}).json()

    assert (whole["end"], whole["prescribed"], whole["completed"]) == ("2026-03-03", 2, 2)
    assert (whole["adherence_percent"], whole["pain_max"], whole["active_days"]) == (100, 4, 2)
    assert (monday["prescribed"], monday["completed"], monday["pain_max"]) == (1, 1, 2)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-03", "end": "2026-03-01"}, "start"),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "end"),
        ({"start": "yesterday"}, "start"),
        # The default start is 30 days before the end: before the year 1 it was an
        # OverflowError, a 500.
        ({"end": "0001-01-01"}, "end"),
        ({"start": "1999-12-31", "end": "2000-01-05"}, "start"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "start"),
    ],
)
def test_a_bad_period_is_a_400_naming_it(logged, therapist_a, params, field):
    url = f"/api/v1/patients/{logged.public_id}/adherence/"

    response = signed_in(therapist_a).get(url, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_date_out_of_the_years_reports_cover_says_so(logged, therapist_a):
    url = f"/api/v1/patients/{logged.public_id}/adherence/"

    response = signed_in(therapist_a).get(url, {"end": "0001-01-01"})

    assert response.json()["errors"] == {"end": ["Give a date from 2000 to 2999."]}
    assert not AuditEntry.objects.filter(action=Action.VIEW, detail="adherence").exists()


def test_the_api_description_promises_staff_only_what_they_can_read(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    description = schema["info"]["description"]
    for path in ("/api/v1/patients/{public_id}/logs/", "/api/v1/patients/{public_id}/adherence/"):
        assert path in schema["paths"]
        assert path.replace("{public_id}", "{id}") in description
    assert "clinic admins" in description  # the clinic-wide exports are theirs


def test_a_misspelt_period_key_is_a_400_naming_it(logged, therapist_a):
    url = f"/api/v1/patients/{logged.public_id}/adherence/"

    response = signed_in(therapist_a).get(url, {"strat": "2026-03-02"})

    assert response.status_code == 400
    assert "strat" in response.json()["errors"]
