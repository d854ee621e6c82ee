"""New dates can make a program run beside another that shares a ladder or an exercise with it,
where before they ran apart: an end date moved later (or taken away), an ended program
opened again, a start moved earlier. That is asked about as when a program is assigned
(``apps.programs.duplicates``): refused, naming where, until the therapist confirms
(``confirm_duplicate_ladder``), on the builder's Schedule form and the API's PATCH alike,
with nothing saved. What already ran side by side before the change is not asked again, and
a change that brings nothing new together (an earlier end, new weekdays) asks nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.programs.edit_services import program_edit, program_schedule_update
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
CONFIRM = "confirm_duplicate_ladder"
EVERY_DAY = list(range(7))


@pytest.fixture
def ladder():
    return LadderFactory(name="Clamshell (Boren 2011)")


@pytest.fixture
def today(patient_a):
    return patient_a.local_today()


@pytest.fixture
def hip(patient_a, ladder, today):
    """Ann's running program, the clamshell ladder at level 3, ending in 5 days."""
    program = ProgramFactory(patient=patient_a, name="Hip program", end_date=today + timedelta(5))
    LadderItemFactory(program=program, ladder=ladder, current_level=3)
    return program


@pytest.fixture
def home(patient_a, ladder, today):
    """Her next program, assigned to start in 10 days with the same ladder from level 1:
    the two do not overlap."""
    program = ProgramFactory(
        patient=patient_a, name="Home program", start_date=today + timedelta(10)
    )
    LadderItemFactory(program=program, ladder=ladder, current_level=1)
    return program


def _reschedule(therapist, program, **changes):
    dates = {"start_date": program.start_date, "end_date": program.end_date} | changes
    return program_schedule_update(
        actor=therapist,
        program=program,
        weekdays=changes.pop("weekdays", EVERY_DAY),
        **{k: v for k, v in dates.items() if k != "weekdays"},
    )


def _refused(error: pytest.ExceptionInfo[ValidationError]) -> str:
    messages = error.value.message_dict[CONFIRM]
    assert len(messages) == 1
    return messages[0]


@pytest.mark.parametrize("end", [timedelta(20), None], ids=["later", "no end"])
def test_an_end_moved_into_another_programs_days_needs_confirmation(
    therapist_a, hip, home, today, end
):
    was = hip.end_date
    new_end = None if end is None else today + end

    with pytest.raises(ValidationError) as error:
        _reschedule(therapist_a, hip, end_date=new_end)

    message = _refused(error)
    assert message.startswith("Clamshell (Boren 2011) is already running for this patient")
    assert "“Home program” at level 1" in message
    assert "confirm that both should run" in message
    hip.refresh_from_db()
    assert hip.end_date == was  # nothing saved


def test_confirmed_the_new_end_is_saved_and_the_confirmation_audited(therapist_a, hip, home, today):
    program_schedule_update(
        actor=therapist_a, program=hip, weekdays=EVERY_DAY, start_date=hip.start_date,
        end_date=today + timedelta(20), confirm_duplicate_ladder=True,
    )  # fmt: skip

    hip.refresh_from_db()
    assert hip.end_date == today + timedelta(20)
    assert AuditEntry.objects.filter(
        detail="confirmed running Clamshell (Boren 2011) in two places at once"
    ).exists()


def test_a_start_moved_into_another_programs_days_needs_confirmation(therapist_a, hip, home, today):
    with pytest.raises(ValidationError) as error:
        _reschedule(therapist_a, home, start_date=today + timedelta(2))

    assert "“Hip program” at level 3" in _refused(error)
    home.refresh_from_db()
    assert home.start_date == today + timedelta(10)


def test_an_ended_program_opened_again_beside_a_running_one_needs_confirmation(
    therapist_a, patient_a, ladder, today
):
    """Resuming a program is giving it an end date still to come (or none)."""
    ended = ProgramFactory(patient=patient_a, name="Old program", end_date=today - timedelta(1))
    LadderItemFactory(program=ended, ladder=ladder, current_level=2)
    running = ProgramFactory(patient=patient_a, name="Hip program")
    LadderItemFactory(program=running, ladder=ladder, current_level=3)

    with pytest.raises(ValidationError) as error:
        _reschedule(therapist_a, ended, end_date=None)

    assert "“Hip program” at level 3" in _refused(error)
    ended.refresh_from_db()
    assert ended.end_date == today - timedelta(1)


def test_an_exercise_shared_with_a_ladder_is_asked_about_as_well(
    therapist_a, patient_a, ladder, hip, today
):
    top = ladder.levels.get(level=4).exercise
    later = ProgramFactory(patient=patient_a, name="Home program", start_date=today + timedelta(10))
    ExerciseItemFactory(program=later, exercise=top)

    with pytest.raises(ValidationError) as error:
        _reschedule(therapist_a, hip, end_date=None)

    assert f"both include {top.name}" in _refused(error)


def test_new_weekdays_with_a_later_end_ask_on_the_program_they_continue(
    therapist_a, hip, home, today
):
    """A started program's new weekdays continue it from today as a new program: asked
    about with its new end, and nothing of either is saved when refused."""
    with pytest.raises(ValidationError) as error:
        _reschedule(therapist_a, hip, weekdays=[0, 2, 4], end_date=None)

    assert "“Home program” at level 1" in _refused(error)
    assert Program.objects.filter(patient=hip.patient).count() == 2

    saved = program_schedule_update(
        actor=therapist_a, program=hip, weekdays=[0, 2, 4], start_date=hip.start_date,
        end_date=None, confirm_duplicate_ladder=True,
    )  # fmt: skip
    assert saved.pk != hip.pk
    assert saved.end_date is None


@pytest.mark.parametrize(
    "changes",
    [
        {"end_date": "earlier"},
        {"weekdays": [0, 2, 4]},
        {"end_date": "later, still apart"},
    ],
)
def test_a_change_that_brings_nothing_together_asks_nothing(therapist_a, hip, home, today, changes):
    wanted = {
        "earlier": today + timedelta(3),
        "later, still apart": today + timedelta(9),
    }
    if "end_date" in changes:
        changes = {"end_date": wanted[changes["end_date"]]}

    _reschedule(therapist_a, hip, **changes)


def test_what_already_ran_side_by_side_is_not_asked_again(
    therapist_a, patient_a, ladder, hip, today
):
    """Confirmed when it was assigned: moving its end later asks nothing new."""
    beside = ProgramFactory(patient=patient_a, name="Home program", end_date=today + timedelta(3))
    LadderItemFactory(program=beside, ladder=ladder, current_level=1)

    _reschedule(therapist_a, hip, end_date=None)
    _reschedule(therapist_a, beside, end_date=today + timedelta(30))

    hip.refresh_from_db()
    assert hip.end_date is None


def test_a_drafts_dates_are_not_asked_about(therapist_a, patient_a, ladder, hip, today):
    """A draft is not running: assigning it asks."""
    draft = ProgramFactory(
        patient=patient_a, name="Next program", is_active=False, start_date=today + timedelta(10)
    )
    LadderItemFactory(program=draft, ladder=ladder, current_level=1)

    _reschedule(therapist_a, draft, start_date=today + timedelta(1))


# --- The pages and the API -----------------------------------------------------------------


def _schedule_form(program, end_date="") -> dict[str, object]:
    return {
        "save": "schedule", "weekdays": [str(day) for day in EVERY_DAY],
        "start_date": program.start_date.isoformat(), "end_date": end_date,
        "reminder_time": "",
    }  # fmt: skip


def test_the_schedule_form_asks_and_takes_the_confirmation(therapist_a, hip, home):
    client = signed_in(therapist_a)
    url = f"/programs/{hip.public_id}/"

    refused = client.post(url, _schedule_form(hip))
    assert refused.status_code == 400
    assert "already running for this patient in “Home program” at level 1" in refused.text
    assert f'name="{CONFIRM}"' in refused.text  # the box to tick, on the Schedule form
    hip.refresh_from_db()
    assert hip.end_date is not None

    confirmed = client.post(url, _schedule_form(hip) | {CONFIRM: "on"})
    assert confirmed.status_code == 302
    hip.refresh_from_db()
    assert hip.end_date is None


def test_the_schedule_form_shows_no_box_when_nothing_is_asked(therapist_a, hip, home):
    page = signed_in(therapist_a).get(f"/programs/{hip.public_id}/").text
    schedule = page[page.index('id="schedule-heading"') : page.index('value="schedule"') + 400]
    assert CONFIRM not in schedule


def test_the_api_patch_asks_and_takes_the_confirmation(therapist_a, hip, home):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{hip.public_id}/update/"

    refused = client.patch(url, {"end_date": None}, **JSON)
    confirmed = client.patch(url, {"end_date": None, CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert "“Home program” at level 1" in refused.json()["errors"][CONFIRM][0]
    assert confirmed.status_code == 200
    assert confirmed.json()["end_date"] is None


def test_program_edit_asks_too(therapist_a, hip, home):
    with pytest.raises(ValidationError) as error:
        program_edit(actor=therapist_a, program=hip, changes={"end_date": None})
    assert "already running" in _refused(error)
    saved = program_edit(
        actor=therapist_a, program=hip, changes={"end_date": None}, confirm_duplicate_ladder=True
    )
    assert saved.end_date is None
