"""The pages and API calls that remove an exercise, end a program or archive a patient close
the open progression prompts they leave with nothing to raise; the inbox and the dashboard
then stop counting them as waiting, and the inbox says why each was closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.programs.models import PromptStatus
from apps.programs.prompt_decisions import CLOSED_ARCHIVED, CLOSED_ENDED, CLOSED_REMOVED
from tests.conftest import signed_in
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _item_url(prompt, api=False):
    program, item = prompt.item.program, prompt.item
    base = "/api/v1" if api else ""
    return f"{base}/programs/{program.public_id}/items/{item.public_id}/remove/"


def _closed(prompt, reason):
    prompt.refresh_from_db()
    return prompt.status == PromptStatus.WITHDRAWN and prompt.decision_reason == reason


def _schedule(prompt, end):
    program = prompt.item.program
    return {
        "save": "schedule",  # posted to the builder itself
        "weekdays": [str(day) for day in program.weekday_numbers],
        "start_date": program.start_date.isoformat(),
        "end_date": end.isoformat(),
    }


def test_removing_the_exercise_in_the_builder_closes_its_prompt(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    response = signed_in(therapist_a).post(_item_url(prompt), **HTMX)

    assert response.status_code == 200
    assert _closed(prompt, CLOSED_REMOVED)


def test_removing_the_exercise_through_the_api_closes_its_prompt(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    response = signed_in(therapist_a).post(_item_url(prompt, api=True), **JSON)

    assert response.status_code == 200
    assert _closed(prompt, CLOSED_REMOVED)


def test_ending_the_program_on_its_schedule_page_closes_its_prompt(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    url = f"/programs/{prompt.item.program.public_id}/"
    yesterday = patient_a.local_today() - timedelta(days=1)

    response = signed_in(therapist_a).post(url, _schedule(prompt, yesterday))

    assert response.status_code == 302
    assert _closed(prompt, CLOSED_ENDED)


def test_ending_the_program_through_the_api_closes_its_prompt(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    url = f"/api/v1/programs/{prompt.item.program.public_id}/update/"
    body = {"end_date": patient_a.local_today().isoformat()}

    response = signed_in(therapist_a).patch(url, body, **JSON)

    assert response.status_code == 200
    assert _closed(prompt, CLOSED_ENDED)


def test_a_refused_schedule_change_closes_nothing(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    url = f"/programs/{prompt.item.program.public_id}/"
    body = _schedule(prompt, patient_a.local_today() - timedelta(days=5))  # before yesterday

    response = signed_in(therapist_a).post(url, body)

    assert response.status_code == 400
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING


def test_archiving_on_the_patient_page_closes_their_prompts(therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    response = signed_in(therapist_a).post(f"/patients/{patient_a.public_id}/archive/")

    assert response.status_code == 302
    assert _closed(prompt, CLOSED_ARCHIVED)


def test_archiving_and_restoring_through_the_api_leaves_them_closed(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)

    archived = client.post(f"/api/v1/patients/{patient_a.public_id}/archive/")
    restored = client.post(f"/api/v1/patients/{patient_a.public_id}/restore/")

    assert (archived.status_code, restored.status_code) == (200, 200)
    assert _closed(prompt, CLOSED_ARCHIVED)


def test_another_clinics_exercise_cannot_be_removed_nor_its_prompt_closed(therapist_a, patient_b):
    prompt = make_prompt(patient_b)

    response = signed_in(therapist_a).post(_item_url(prompt), **HTMX)

    assert response.status_code == 404
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING


def test_the_inbox_stops_counting_a_closed_prompt_and_says_why_it_was_closed(
    therapist_a, patient_a
):
    removed, kept = make_prompt(patient_a), make_prompt(patient_a)
    client = signed_in(therapist_a)
    inbox = reverse("notifications:inbox")
    before = client.get(inbox).context["inbox"]

    client.post(_item_url(removed), **HTMX)
    after = client.get(inbox)

    assert len(before.open_prompts) == 2
    assert [card.prompt.pk for card in after.context["inbox"].open_prompts] == [kept.pk]
    html = after.content.decode()
    assert '<span class="badge" id="prompts-count">1</span>' in html
    assert "Closed: no longer in the program" in html
    assert f"Why it was closed: {CLOSED_REMOVED}" in html.replace("&#x27;", "'")


def test_the_api_lists_closed_prompts_under_their_own_status(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)
    client.post(_item_url(prompt, api=True), **JSON)

    pending = client.get("/api/v1/prompts/?status=pending").json()["results"]
    (closed,) = client.get("/api/v1/prompts/?status=withdrawn").json()["results"]

    assert pending == []
    assert (closed["id"], closed["decision_reason"]) == (str(prompt.public_id), CLOSED_REMOVED)


def test_approving_a_closed_prompt_is_a_400_that_says_it_was_closed(therapist_a, patient_a):
    prompt = make_prompt(patient_a)
    client = signed_in(therapist_a)
    client.post(_item_url(prompt), **HTMX)

    page = client.post(reverse("notifications:approve", args=[prompt.public_id]))
    api = client.post(f"/api/v1/prompts/{prompt.public_id}/approve/", {}, **JSON)

    assert page.status_code == api.status_code == 400
    said = f"This prompt was closed: {CLOSED_REMOVED}"
    assert said in page.content.decode().replace("&#x27;", "'")
    assert api.json()["errors"]["status"] == [said]
    assert not prompt.item.level_changes.exists()


def test_the_dashboard_stops_counting_prompts_closed_by_the_archive_restored(
    therapist_a, patient_a
):
    make_prompt(patient_a)
    client = signed_in(therapist_a)

    def waiting() -> int:
        rows = client.get("/dashboard/").context["rows"]
        (row,) = [row for row in rows if row.patient.pk == patient_a.pk]
        return row.pending_prompts

    before = waiting()
    client.post(f"/patients/{patient_a.public_id}/archive/")
    client.post(f"/patients/{patient_a.public_id}/", {"change": "restore"})

    assert (before, waiting()) == (1, 0)


def test_the_dashboard_stops_counting_a_prompt_whose_exercise_was_removed(therapist_a, patient_a):
    removed = make_prompt(patient_a)
    make_prompt(patient_a)
    client = signed_in(therapist_a)

    client.post(_item_url(removed), **HTMX)

    rows = client.get("/dashboard/").context["rows"]
    (row,) = [row for row in rows if row.patient.pk == patient_a.pk]
    assert row.pending_prompts == 1
