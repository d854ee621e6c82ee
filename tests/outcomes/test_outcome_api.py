"""The outcomes API: scheduling, answering offline-safely, reports, the time log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import pytest
from django.test import Client

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import User
from apps.outcomes.models import Answer, ProgressReport, Questionnaire, Status, TimeEntry
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import AdminFactory, PatientFactory, ProgramFactory
from tests.once import assert_reused

pytestmark = pytest.mark.django_db


@pytest.fixture
def program() -> Program:
    patient = cast(Patient, PatientFactory())
    start = patient.local_today() - dt.timedelta(days=14)
    return cast(
        Program,
        ProgramFactory(patient=patient, start_date=start, end_date=start + dt.timedelta(days=42)),
    )


def _monitoring_on(program: Program) -> None:
    from apps.outcomes.monitoring_services import monitoring_set

    monitoring_set(admin=cast(User, AdminFactory(clinic=program.clinic)), enabled=True)


def _staff(program: Program) -> Client:
    client = Client()
    client.force_login(program.created_by)
    return client


def _patient(program: Program) -> Client:
    assert program.patient is not None
    client = Client()
    client.force_login(program.patient.user)
    return client


def _json(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def _schedule(program: Program) -> None:
    url = f"/api/v1/programs/{program.public_id}/measures/"
    response = _json(_staff(program), "put", url, {"instruments": ["nprs", "psfs"]})
    assert response.status_code == 200, response.content
    assert [m["instrument"] for m in response.json()["measures"]] == ["nprs", "psfs"]


def test_a_therapist_schedules_and_the_patient_sees_what_is_due(program: Program) -> None:
    _schedule(program)
    due = _patient(program).get("/api/v1/me/questionnaires/").json()["results"]
    start = program.start_date
    assert start is not None
    assert {(q["instrument"], q["due_on"]) for q in due} == {
        ("nprs", (start + dt.timedelta(days=14)).isoformat()),
        ("psfs", (start + dt.timedelta(days=14)).isoformat()),
    }


def test_scheduling_without_naming_measures_takes_the_defaults(program: Program) -> None:
    url = f"/api/v1/programs/{program.public_id}/measures/"
    response = _json(_staff(program), "put", url, {})
    assert response.status_code == 200, response.content
    assert [(m["instrument"], m["interval_days"], m["at_start"], m["at_end"])
            for m in response.json()["measures"]] == [
        ("nprs", 14, True, True), ("psfs", 14, True, True)
    ]  # fmt: skip


def test_scheduling_lefs_without_wording_is_a_400(program: Program) -> None:
    url = f"/api/v1/programs/{program.public_id}/measures/"
    response = _json(_staff(program), "put", url, {"instruments": ["lefs"]})
    assert response.status_code == 400
    assert "instruments" in response.json()["errors"]
    assert not Questionnaire.objects.exists()


def test_answers_resume_and_a_replayed_submit_saves_once(program: Program) -> None:
    _schedule(program)
    client = _patient(program)
    q = Questionnaire.objects.get(program=program, instrument="psfs", due_on=program.start_date)
    base = f"/api/v1/me/questionnaires/{q.public_id}/"
    names = ["Stairs", "Putting on socks", "Walking the dog"]
    saved = _json(
        client, "patch", base + "answers/", {"answers": {"activity_1": 4}, "activities": names}
    )
    assert saved.status_code == 200, saved.content
    resumed = client.get(base).json()
    assert [(x["text"], x["value"]) for x in resumed["questions"]] == [
        ("Stairs", 4), ("Putting on socks", None), ("Walking the dog", None)
    ]  # fmt: skip
    body = {"submission_id": str(uuid.uuid4()), "answers": {"activity_2": 5, "activity_3": 6}}
    first = _json(client, "post", base + "submit/", body)
    replay = _json(client, "post", base + "submit/", body)
    assert first.status_code == replay.status_code == 200
    assert first.json()["scores"] == {"function": "5.0"}  # (4 + 5 + 6) / 3
    assert replay.json() == first.json()
    assert Answer.objects.filter(questionnaire=q).count() == 3
    other = _json(client, "post", base + "submit/", {**body, "submission_id": str(uuid.uuid4())})
    assert other.status_code == 400
    assert other.json()["message"]


def test_a_submit_sent_again_under_its_id_with_other_answers_is_a_409_naming_them(
    program: Program,
) -> None:
    """A submitted questionnaire keeps the answers sent first: a resubmission with the same
    submission_id but another answer is told so (409), never answered as if it were saved."""
    _schedule(program)
    client = _patient(program)
    q = Questionnaire.objects.get(program=program, instrument="nprs", due_on=program.start_date)
    url = f"/api/v1/me/questionnaires/{q.public_id}/submit/"
    body = {"submission_id": str(uuid.uuid4()), "answers": {"pain": 3}}
    assert _json(client, "post", url, body).status_code == 200

    again = _json(client, "post", url, body | {"answers": {"pain": 7}})
    cleared = _json(client, "post", url, body | {"answers": {"pain": None}})

    for response in (again, cleared):
        assert response.status_code == 409, response.content
        assert set(response.json()["errors"]) == {"submission_id", "pain"}
        assert "(pain differ)" in response.json()["errors"]["submission_id"][0]
    assert list(Answer.objects.filter(questionnaire=q).values_list("value", flat=True)) == [3]
    q.refresh_from_db()
    assert q.scores == {"pain": "3"}
    assert _json(client, "post", url, body).status_code == 200  # the retry itself still is


def test_a_psfs_submit_sent_again_with_other_activities_is_a_409_naming_them(
    program: Program,
) -> None:
    _schedule(program)
    client = _patient(program)
    q = Questionnaire.objects.get(program=program, instrument="psfs", due_on=program.start_date)
    url = f"/api/v1/me/questionnaires/{q.public_id}/submit/"
    names = ["Stairs", "Socks", "Dog"]
    ratings = {"activity_1": 4, "activity_2": 5, "activity_3": 6}
    body = {"submission_id": str(uuid.uuid4()), "answers": ratings, "activities": names}
    assert _json(client, "post", url, body).status_code == 200

    again = _json(client, "post", url, body | {"activities": ["Stairs", "Socks", "Cat"]})
    same = _json(client, "post", url, body | {"activities": [" Stairs", "Socks", "Dog "]})

    assert again.status_code == 409, again.content
    assert set(again.json()["errors"]) == {"submission_id", "activities"}
    assert same.status_code == 200
    q.refresh_from_db()
    assert q.activities == names


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"pain": 11}},
        {"answers": {"pain": "lots"}},
        {"answers": {"stiffness": 3}},
        {"answers": {}},
    ],
)
def test_bad_answers_are_400s_and_nothing_is_saved(program: Program, body: dict) -> None:
    _schedule(program)
    q = Questionnaire.objects.get(program=program, instrument="nprs", due_on=program.start_date)
    url = f"/api/v1/me/questionnaires/{q.public_id}/submit/"
    response = _json(_patient(program), "post", url, {**body, "submission_id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert set(response.json()) == {"message", "errors"}
    q.refresh_from_db()
    assert q.status == Status.OPEN
    assert not Answer.objects.exists()


def test_another_patients_questionnaire_is_a_404(program: Program) -> None:
    _schedule(program)
    q = Questionnaire.objects.filter(program=program).first()
    assert q is not None
    stranger = Client()
    stranger.force_login(cast(Patient, PatientFactory(clinic=program.clinic)).user)
    url = f"/api/v1/me/questionnaires/{q.public_id}/submit/"
    body = {"submission_id": str(uuid.uuid4()), "answers": {"pain": 3}}
    assert _json(stranger, "post", url, body).status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.parametrize("action", ["submit", "answers"])
def test_answers_a_phone_kept_for_another_patient_are_a_409_not_a_404(
    program: Program, action: str
) -> None:
    # A family phone: what the first patient answered offline is sent once someone else has
    # signed in. A 404 told the phone to drop it; a 409 tells it to keep it for its patient.
    _schedule(program)
    q = Questionnaire.objects.filter(program=program).first()
    assert q is not None
    assert program.patient is not None
    relative = Client()
    relative.force_login(cast(Patient, PatientFactory(clinic=program.clinic)).user)
    url = f"/api/v1/me/questionnaires/{q.public_id}/{action}/"
    body = {"submission_id": str(uuid.uuid4()), "answers": {"pain": 3}}
    method = "post" if action == "submit" else "patch"
    response = getattr(relative, method)(
        url, body, content_type="application/json",
        HTTP_X_CLAMSHELL_PATIENT=str(program.patient.public_id),
    )  # fmt: skip
    assert response.status_code == 409
    assert "another patient" in response.json()["message"]
    assert not Answer.objects.exists()


def _submit_nprs(program: Program, q: Questionnaire, pain: int) -> None:
    url = f"/api/v1/me/questionnaires/{q.public_id}/submit/"
    body = {"submission_id": str(uuid.uuid4()), "answers": {"pain": pain}}
    assert _json(_patient(program), "post", url, body).status_code == 200


def test_trends_and_the_report_agree_and_the_report_is_audited(program: Program) -> None:
    _schedule(program)
    first, second = Questionnaire.objects.filter(program=program, instrument="nprs")[:2]
    _submit_nprs(program, first, 6)
    _submit_nprs(program, second, 3)
    staff = _staff(program)
    assert program.patient is not None
    trends = staff.get(f"/api/v1/patients/{program.patient.public_id}/outcomes/").json()
    (nprs,) = [t for t in trends["trends"] if t["instrument"] == "nprs"]
    assert (nprs["baseline"], nprs["latest"], nprs["verdict"]) == (6, 3, "meaningful improvement")
    url = f"/api/v1/patients/{program.patient.public_id}/progress-reports/"
    made = _json(staff, "post", url, {"note": "Walking further."})
    assert made.status_code == 201
    report = made.json()["report"]
    assert report["therapist_note"] == "Walking further."
    assert report["outcomes"][0]["verdict"] == "meaningful improvement"
    assert report["signed_by"] == program.created_by.full_name
    saved = ProgressReport.objects.get()
    assert AuditEntry.objects.filter(action=Action.EXPORT, target_ref=str(saved.public_id)).exists()
    again = staff.get(f"/api/v1/progress-reports/{saved.public_id}/").json()
    assert again["report"] == report


@pytest.mark.parametrize(("minutes", "days_ahead"), [(0, 0), (601, 0), (20, 1)])
def test_bad_time_entries_are_400s(program: Program, minutes: int, days_ahead: int) -> None:
    assert program.patient is not None
    _monitoring_on(program)
    on = program.patient.local_today() + dt.timedelta(days=days_ahead)
    url = f"/api/v1/patients/{program.patient.public_id}/time-entries/"
    body = {"on": on.isoformat(), "minutes": minutes, "activity": "Reviewed the logs"}
    response = _json(_staff(program), "post", url, body)
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_a_time_entry_retried_with_its_client_id_is_a_200_with_the_first_entry(
    program: Program,
) -> None:
    assert program.patient is not None
    _monitoring_on(program)
    url = f"/api/v1/patients/{program.patient.public_id}/time-entries/"
    body = {
        "on": program.patient.local_today().isoformat(), "minutes": 25,
        "activity": "Reviewed the logs", "client_id": str(uuid.uuid4()),
    }  # fmt: skip
    client = _staff(program)

    first = _json(client, "post", url, body)
    again = _json(client, "post", url, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["public_id"] == first.json()["public_id"]
    assert TimeEntry.objects.count() == 1


def test_a_time_entry_sent_again_under_its_client_id_with_other_minutes_is_a_409(
    program: Program,
) -> None:
    assert program.patient is not None
    _monitoring_on(program)
    url = f"/api/v1/patients/{program.patient.public_id}/time-entries/"
    body = {
        "on": program.patient.local_today().isoformat(), "minutes": 25,
        "activity": "Reviewed the logs", "client_id": str(uuid.uuid4()),
    }  # fmt: skip
    client = _staff(program)
    _json(client, "post", url, body)

    again = _json(client, "post", url, body | {"minutes": 40, "live_interaction": True})

    assert_reused(again, "minutes", "live_interaction")
    assert list(TimeEntry.objects.values_list("minutes", "live_interaction")) == [(25, False)]


def test_a_time_entry_while_remote_monitoring_is_off_is_a_400_that_says_so(
    program: Program,
) -> None:
    assert program.patient is not None
    url = f"/api/v1/patients/{program.patient.public_id}/time-entries/"
    body = {"on": program.patient.local_today().isoformat(), "minutes": 25, "activity": "Call"}

    response = _json(_staff(program), "post", url, body)

    assert response.status_code == 400
    assert "Remote monitoring is turned off" in response.json()["message"]
    assert not TimeEntry.objects.exists()


def test_the_time_log_reads_a_page_at_a_time_newest_first_to_the_oldest_entry(
    program: Program, django_assert_max_num_queries: Any
) -> None:
    """Every entry is billed: an integration reads the whole log, not the newest 50."""
    patient = program.patient
    assert patient is not None
    today = patient.local_today()
    for days_ago in range(5):
        TimeEntry.objects.create(
            patient=patient, therapist=program.created_by, on=today - dt.timedelta(days=days_ago),
            minutes=10 + days_ago, activity="Reviewed the logs", live_interaction=False,
        )  # fmt: skip
    url = f"/api/v1/patients/{patient.public_id}/time-entries/"
    client = _staff(program)

    first = client.get(url, {"limit": 2}).json()
    with django_assert_max_num_queries(12):
        last = client.get(url, {"limit": 2, "offset": 4}).json()

    assert first["count"] == 5
    assert [entry["minutes"] for entry in first["results"]] == [10, 11]
    assert "offset=2" in first["next"]
    assert ([entry["minutes"] for entry in last["results"]], last["next"]) == ([14], None)


def test_an_answer_sent_as_null_clears_the_one_saved_before(program: Program) -> None:
    _schedule(program)
    client = _patient(program)
    q = Questionnaire.objects.get(program=program, instrument="psfs", due_on=program.start_date)
    base = f"/api/v1/me/questionnaires/{q.public_id}/"
    names = ["Stairs", "Putting on socks", "Walking the dog", "Gardening"]
    body = {"answers": {"activity_1": 4, "activity_4": 7}, "activities": names}
    assert _json(client, "patch", base + "answers/", body).status_code == 200

    cleared = _json(client, "patch", base + "answers/", {"answers": {"activity_4": None}})

    assert cleared.status_code == 200, cleared.content
    assert dict(Answer.objects.filter(questionnaire=q).values_list("item_key", "value")) == {
        "activity_1": 4
    }
    # Nothing to clear is no error either; a cleared answer still has to be given to send.
    again = _json(client, "patch", base + "answers/", {"answers": {"activity_4": None}})
    assert again.status_code == 200
    submit = {"submission_id": str(uuid.uuid4()), "answers": {"activity_2": 5, "activity_3": 6}}
    refused = _json(client, "post", base + "submit/", submit)
    assert refused.status_code == 400
    assert refused.json()["errors"]["answers"] == ["Still to answer: activity 4 (Gardening)."]
