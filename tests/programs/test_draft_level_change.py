"""A level changed by hand on a patient's draft (not yet assigned) applies at once: the draft
prescribes nothing yet, so there is no "today" of the patient's to keep. Taking it from the
patient's next day paired today's level with the new level's dose: a draft that started
today, assigned the same day, gave the windshield-wiper stretch as "2 sets of 10-20 reps"."""

from datetime import timedelta

import pytest

from apps.exercises.loading import library_load
from apps.exercises.models import Ladder
from apps.programs.assign_services import program_assign
from apps.programs.builder import builder_rows
from apps.programs.models import ProgramItem
from apps.programs.prompt_decisions import item_level_set
from apps.programs.selectors import today_plan
from tests.conftest import signed_in
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_item(db, patient_a):
    library_load()
    draft = ProgramFactory(patient=patient_a, is_active=False, start_date=patient_a.local_today())
    ladder = Ladder.objects.get(key="reverse-clamshell", clinic=None)
    return ProgramItem.objects.create(
        program=draft, ladder=ladder, current_level=1, per_side=True,
        sets=1, hold_seconds=20, hold_up_to=30,
    )  # fmt: skip


def test_a_drafts_new_level_and_its_dose_start_together(draft_item, patient_a, therapist_a):
    change = item_level_set(item=draft_item, user=therapist_a, level=2, reason="Stretch is easy")

    today = patient_a.local_today()
    assert change.effective_on == today
    draft_item.refresh_from_db()
    assert draft_item.level_on(today) == 2
    assert (draft_item.reps, draft_item.reps_up_to, draft_item.hold_seconds) == (10, 20, None)


def test_assigned_the_same_day_the_patient_gets_the_new_level_in_its_own_terms(
    draft_item, patient_a, therapist_a
):
    item_level_set(item=draft_item, user=therapist_a, level=2, reason="Stretch is easy")
    program_assign(actor=therapist_a, program=draft_item.program, patient=patient_a)

    (planned,) = today_plan(patient=patient_a, on=patient_a.local_today()).items
    assert planned.exercise.key == "clam-2"
    assert not planned.is_hold


def test_the_builder_shows_the_drafts_level_with_its_dose(draft_item, patient_a, therapist_a):
    item_level_set(item=draft_item, user=therapist_a, level=2, reason="Stretch is easy")

    (row,) = builder_rows(program=draft_item.program, today=patient_a.local_today())
    assert (row.level, row.exercise.key) == (2, "clam-2")
    assert row.dose.startswith("2 sets of 10\N{EN DASH}20 reps")


def test_the_page_says_a_drafts_level_applies_at_once(draft_item, therapist_a):
    program = draft_item.program
    page = f"/programs/{program.public_id}/items/{draft_item.public_id}/level/"

    response = signed_in(therapist_a).get(page)

    assert "applies at once" in response.content.decode()
    assert "starts on the patient's next day" not in response.content.decode()
    response = signed_in(therapist_a).post(page, {"level": 2, "reason": "Stretch is easy"})
    draft_item.refresh_from_db()
    assert draft_item.level_on(draft_item.program.patient.local_today()) == 2


def test_an_assigned_programs_level_still_waits_for_the_patients_next_day(
    db, patient_a, therapist_a
):
    library_load()
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    ladder = Ladder.objects.get(key="clamshell-boren-2011", clinic=None)
    item = ProgramItem.objects.create(
        program=program, ladder=ladder, current_level=1, per_side=True, sets=2, reps=10
    )

    change = item_level_set(item=item, user=therapist_a, level=2, reason="Ready")

    assert change.effective_on == patient_a.local_today() + timedelta(days=1)
