"""A therapist changes a ladder level by hand, with a reason the patient sees (page and API),
audited and drawn on the progress chart."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.programs.models import LevelChange
from apps.programs.selectors import today_plan
from apps.reports.selectors import patient_progress
from tests.conftest import signed_in
from tests.factories import LadderItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(9))
    return LadderItemFactory(program=program, current_level=3, ladder__levels=4)


def url(item, api=False):
    prefix = "/api/v1" if api else ""
    return f"{prefix}/programs/{item.program.public_id}/items/{item.public_id}/level/"


def test_a_therapist_steps_a_patient_back_with_a_reason_the_patient_sees(therapist_a, item):
    patient = item.program.patient
    response = signed_in(therapist_a).post(url(item), {"level": 2, "reason": "Flare-up: ease off"})

    assert response.status_code == 302
    item.refresh_from_db()
    tomorrow = patient.local_today() + timedelta(days=1)
    assert (item.current_level, item.previous_level, item.level_since) == (2, 3, tomorrow)
    (change,) = LevelChange.objects.all()
    assert (change.from_level, change.to_level, change.changed_by) == (3, 2, therapist_a)
    (entry,) = AuditEntry.objects.filter(action="change", target_type="programs.ProgramItem")
    assert entry.detail.endswith("level 3 \N{RIGHTWARDS ARROW} 2 (reason kept with the change)")
    assert not AuditEntry.objects.filter(detail__contains="Flare-up").exists()
    notes = today_plan(patient=patient, on=tomorrow).level_changes
    assert [(n.to_level, n.reason) for n in notes] == [(2, "Flare-up: ease off")]
    marks = patient_progress(patient=patient).ladders[0].changes
    assert [(m.from_level, m.to_level) for m in marks] == [(3, 2)]


def test_a_second_change_the_same_day_keeps_todays_level(therapist_a, item):
    """A change made by mistake and corrected the same day: the patient stays on today's
    level today, and the correction is recorded from today's level."""
    patient = item.program.patient
    client = signed_in(therapist_a)
    client.post(url(item), {"level": 4, "reason": "Ready for the top"})

    client.post(url(item), {"level": 2, "reason": "Sorry, wrong patient: ease off"})

    item.refresh_from_db()
    today = patient.local_today()
    assert (item.level_on(today), item.level_on(today + timedelta(days=1))) == (3, 2)
    assert today_plan(patient=patient, on=today).items[0].level == 3
    change = LevelChange.objects.order_by("pk").last()
    assert (change.from_level, change.to_level) == (3, 2)


def test_today_announces_only_the_last_change_made_for_a_day(therapist_a, item):
    patient = item.program.patient
    client = signed_in(therapist_a)
    client.post(url(item), {"level": 4, "reason": "Ready for the top"})
    client.post(url(item), {"level": 2, "reason": "Sorry, wrong patient: ease off"})

    notes = today_plan(patient=patient, on=patient.local_today() + timedelta(days=1)).level_changes

    assert [(n.from_level, n.to_level, n.reason) for n in notes] == [
        (3, 2, "Sorry, wrong patient: ease off")
    ]


def test_a_change_taken_back_the_same_day_is_not_announced(therapist_a, item):
    patient = item.program.patient
    client = signed_in(therapist_a)
    client.post(url(item), {"level": 4, "reason": "Ready for the top"})
    client.post(url(item), {"level": 3, "reason": "Sorry, wrong patient"})

    tomorrow = patient.local_today() + timedelta(days=1)
    plan = today_plan(patient=patient, on=tomorrow)

    assert plan.level_changes == []
    assert plan.items[0].level == 3


def test_the_page_tells_todays_level_from_a_change_still_to_come(therapist_a, item):
    client = signed_in(therapist_a)
    client.post(url(item), {"level": 4, "reason": "Ready for the top"})

    page = client.get(url(item)).text

    patient = item.program.patient
    tomorrow = patient.local_today() + timedelta(days=1)
    assert f"{patient.full_name} is on level 3, and moves to level 4 on" in page
    assert f"(from {tomorrow:%a} {tomorrow.day} {tomorrow:%b})" in page


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"level": 9, "reason": "x"}, "level", "from 1 to 4"),
        ({"level": 3, "reason": "x"}, "level", "already on level 3"),
        ({"level": 2, "reason": "  "}, "reason", "the patient sees"),
        ({"level": 0, "reason": "x"}, "level", "greater than or equal to 1"),
    ],
)
def test_bad_level_changes_are_a_clear_400_and_change_nothing(
    therapist_a, item, body, field, words
):
    client = APIClient()
    client.force_authenticate(therapist_a)

    response = client.post(url(item, api=True), body, format="json")

    assert response.status_code == 400
    assert words in " ".join(response.json()["errors"][field])
    item.refresh_from_db()
    assert item.current_level == 3
    assert not LevelChange.objects.exists()


def test_the_api_moves_up_a_level(therapist_a, item):
    client = APIClient()
    client.force_authenticate(therapist_a)

    response = client.post(url(item, api=True), {"level": 4, "reason": "Ready"}, format="json")

    assert response.status_code == 200
    assert (response.json()["from_level"], response.json()["to_level"]) == (3, 4)


def test_the_page_shows_form_errors_with_a_400(therapist_a, item):
    response = signed_in(therapist_a).post(url(item), {"level": 2, "reason": ""})

    assert response.status_code == 400
    assert "Say why: the patient sees this reason." in response.content.decode()


def test_another_clinics_item_is_a_404(therapist_b, item):
    assert signed_in(therapist_b).post(url(item), {"level": 2, "reason": "x"}).status_code == 404
    assert not LevelChange.objects.exists()
