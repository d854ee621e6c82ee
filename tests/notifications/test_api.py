"""The notifications REST API under /api/v1/."""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from apps.notifications.models import PainAlert, Reminder
from apps.programs.models import PromptStatus
from tests.notifications.conftest import make_prompt
from tests.notifications.factories import add_primary_mvic

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_prompts_list_names_levels_and_their_mvic(therapist_a, prompt_a, prompt_b):
    response = api(therapist_a).get("/api/v1/prompts/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(prompt_a.public_id)
    assert (row["level"], row["next_level"], row["status"]) == (1, 2, "pending")
    assert row["current"]["level"] == 1
    assert row["next"]["exercise"].endswith("L2")


def test_prompts_list_gives_each_levels_mvic_and_marks_the_less_certain(therapist_a, prompt_a):
    """Every library ladder has %MVIC values: the list answered 500 on them (the values came
    with how sure they are, which the serializer took for numbers)."""
    levels = prompt_a.item.ladder.levels
    add_primary_mvic(levels.get(level=1).exercise, gluteus_medius="47", gluteus_maximus="53")
    add_primary_mvic(levels.get(level=2).exercise, "single-source", gluteus_medius="62.5")

    response = api(therapist_a).get("/api/v1/prompts/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["current"]["mvic"] == {"gluteus_medius": "47.0", "gluteus_maximus": "53.0"}
    assert row["current"]["mvic_less_certain"] == {}
    assert row["next"]["mvic"] == {"gluteus_medius": "62.5"}
    assert row["next"]["mvic_less_certain"] == {"gluteus_medius": "single source"}


def test_prompts_list_filters_by_status_and_rejects_unknown_ones(therapist_a, prompt_a):
    client = api(therapist_a)

    assert client.get("/api/v1/prompts/?status=declined").json()["results"] == []
    bad = client.get("/api/v1/prompts/?status=maybe")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


def test_prompts_list_takes_the_same_queries_for_more_rows(
    therapist_a, patient_a, django_assert_max_num_queries
):
    for _ in range(6):
        make_prompt(patient_a)

    with django_assert_max_num_queries(12):  # + 2: the concerns since each prompt
        response = api(therapist_a).get("/api/v1/prompts/")

    assert response.json()["count"] == 6


def test_approve_through_the_api(therapist_a, prompt_a):
    url = f"/api/v1/prompts/{prompt_a.public_id}/approve/"

    response = api(therapist_a).post(url, {"note": "Up you go"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    prompt_a.item.refresh_from_db()
    assert prompt_a.item.current_level == 2


def test_approving_once_the_program_ran_out_is_a_400_naming_item(therapist_a, prompt_a):
    from apps.programs.models import Program

    today = prompt_a.patient.local_today()
    Program.objects.filter(pk=prompt_a.item.program_id).update(end_date=today)
    url = f"/api/v1/prompts/{prompt_a.public_id}/approve/"

    response = api(therapist_a).post(url, {}, format="json")

    assert response.status_code == 400
    assert "no longer in the patient's program" in response.json()["errors"]["item"][0]
    assert not prompt_a.item.level_changes.exists()


def test_decline_without_a_reason_is_a_400_in_the_api_error_format(therapist_a, prompt_a):
    url = f"/api/v1/prompts/{prompt_a.public_id}/decline/"

    response = api(therapist_a).post(url, {"reason": "   "}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert "reason" in body["errors"]


def test_snooze_through_the_api(therapist_a, prompt_a):
    until = prompt_a.patient.local_today() + timedelta(days=2)
    url = f"/api/v1/prompts/{prompt_a.public_id}/snooze/"

    response = api(therapist_a).post(url, {"until": until.isoformat()}, format="json")

    assert response.status_code == 200
    assert response.json()["snoozed_until"] == until.isoformat()


def test_a_second_decision_is_a_400(therapist_a, prompt_a):
    client = api(therapist_a)
    client.post(f"/api/v1/prompts/{prompt_a.public_id}/approve/", {}, format="json")

    response = client.post(
        f"/api/v1/prompts/{prompt_a.public_id}/decline/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_another_clinics_prompt_is_a_404(therapist_a, prompt_b):
    response = api(therapist_a).post(f"/api/v1/prompts/{prompt_b.public_id}/approve/")

    assert response.status_code == 404
    prompt_b.refresh_from_db()
    assert prompt_b.status == PromptStatus.PENDING


def test_patients_get_403_from_staff_endpoints(patient_a, prompt_a):
    client = api(patient_a.user)

    for url in ("/api/v1/prompts/", "/api/v1/alerts/", "/api/v1/reminders/"):
        assert client.get(url).status_code == 403


def test_alerts_list_and_mark_seen(therapist_a, patient_a, patient_b):
    alert = PainAlert.objects.create(patient=patient_a, local_date=date(2025, 1, 1), pain=8)
    PainAlert.objects.create(patient=patient_b, local_date=date(2025, 1, 1), pain=9)
    client = api(therapist_a)

    rows = client.get("/api/v1/alerts/?unseen=true").json()["results"]
    seen = client.post(f"/api/v1/alerts/{alert.public_id}/seen/")

    assert [r["pain"] for r in rows] == [8]
    assert seen.status_code == 200
    assert seen.json()["acknowledged_at"] is not None
    assert client.get("/api/v1/alerts/?unseen=true").json()["results"] == []


def test_reminders_list_filters_by_patient_and_status(therapist_a, patient_a):
    Reminder.objects.create(
        patient=patient_a,
        local_date=date(2025, 1, 15),
        due_at="2025-01-15T18:00:00Z",
        status="skipped",
        skip_reason="opted_out",
    )
    client = api(therapist_a)

    rows = client.get(f"/api/v1/reminders/?patient={patient_a.public_id}&status=skipped")

    (row,) = rows.json()["results"]
    assert (row["status"], row["reason"]) == ("skipped", "The patient turned reminders off")
    assert client.get("/api/v1/reminders/?status=sent").json()["results"] == []
    assert client.get("/api/v1/reminders/?status=lost").status_code == 400


def test_approve_after_a_held_back_day_needs_override_reason_in_the_api(therapist_a, prompt_a):
    from apps.notifications.services import set_log_evaluate
    from tests.notifications.factories import SetLogFactory

    set_log_evaluate(log_id=SetLogFactory(item=prompt_a.item, reps=3, pain=9).pk)
    url = f"/api/v1/prompts/{prompt_a.public_id}/approve/"

    listed = api(therapist_a).get("/api/v1/prompts/").json()["results"][0]
    refused = api(therapist_a).post(url, {"note": ""}, format="json")

    assert (listed["held_back"], listed["held_back_pain"]) == (True, 9)
    assert listed["concerns"]["needs_override"] is True
    assert listed["concerns"]["painful_sets"][0]["pain"] == 9
    assert refused.status_code == 400
    assert "override_reason" in refused.json()["errors"]
    prompt_a.item.refresh_from_db()
    assert prompt_a.item.current_level == 1

    done = api(therapist_a).post(url, {"override_reason": "Checked by phone"}, format="json")

    assert done.status_code == 200
    assert done.json()["override_reason"] == "Checked by phone"
