"""Every change to a patient's program says in its audit entry what changed, in words a clinic
admin reads ("who raised her to 3 sets of 15?"), never copying a note's text: one entry per
change, written by the service in the change's transaction (``change_words``)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import Action, AuditEntry
from apps.audit.services import DETAIL_MAX
from apps.patients.precautions import precaution_set
from apps.programs.assign_services import program_assign
from apps.programs.edit_services import program_edit, program_schedule_update, program_update
from apps.programs.item_order import program_item_move, program_items_reorder
from apps.programs.item_services import (
    ItemSpec,
    program_item_add,
    program_item_remove,
    program_item_update,
)
from apps.programs.models import SetLog
from apps.programs.services import program_create
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    ProgramFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def program(patient_a):
    return ProgramFactory(
        patient=patient_a, name="Hip strength", start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2027, 1, 31), weekdays=0b0010101,
    )  # fmt: skip


@pytest.fixture
def clamshell(program):
    exercise = ExerciseFactory(name="Clamshell")
    return ExerciseItemFactory(program=program, exercise=exercise, sets=2, reps=10, per_side=True)


def _last_detail() -> str:
    return AuditEntry.objects.filter(target_type="programs.Program").latest("sequence").detail


def _dose(item, **changes):
    dose = {
        "sets": item.sets, "reps": item.reps, "hold_seconds": item.hold_seconds,
        "per_side": item.per_side, "rest_seconds": item.rest_seconds, "notes": item.notes,
        "auto_advance": item.auto_advance,
    }  # fmt: skip
    return dose | changes


def test_a_dose_change_names_the_exercise_and_both_doses(therapist_a, clamshell):
    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell, sets=3, reps=15))

    assert _last_detail() == (
        "Clamshell: 2 sets of 10 reps per side \N{RIGHTWARDS ARROW} 3 sets of 15 reps per side"
    )


def test_a_dose_change_of_a_row_with_history_says_the_same(therapist_a, clamshell, patient_a):
    SetLog.objects.create(
        client_id=uuid.uuid4(), patient=patient_a, item=clamshell, exercise=clamshell.exercise,
        performed_on=TODAY - dt.timedelta(days=2), reps=10, pain=2, target_sets=2,
        target_reps=10, target_per_side=True,
    )  # fmt: skip

    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell, sets=3))

    assert _last_detail() == (
        "Clamshell: 2 sets of 10 reps per side \N{RIGHTWARDS ARROW} 3 sets of 10 reps per side"
    )


def test_a_rest_change_says_the_rest(therapist_a, clamshell):
    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell, rest_seconds=90))

    assert _last_detail() == f"Clamshell: rest {clamshell.rest_seconds} s \N{RIGHTWARDS ARROW} 90 s"


def test_a_note_says_it_changed_never_what_it_says(therapist_a, clamshell):
    note = "Knee still swollen after the fall, go gently"

    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell, notes=note))

    assert _last_detail() == "Clamshell: note changed"
    assert not AuditEntry.objects.filter(detail__icontains="swollen").exists()


def _precautions_against(patient, therapist, clamshell):
    clamshell.exercise.hip_movements = ["internal_rotation"]
    clamshell.exercise.save(update_fields=["hip_movements"])
    precaution_set(
        actor=therapist, patient=patient, kind="custom", movements=["internal_rotation"],
        starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=42),
    )  # fmt: skip


def _last_sequence():
    entry = AuditEntry.objects.order_by("sequence").last()
    return entry.sequence if entry else 0


def _entries_since(sequence):
    return [
        (entry.target_type, entry.detail)
        for entry in AuditEntry.objects.filter(sequence__gt=sequence).order_by("sequence")
    ]


OVERRIDE = ("programs.ProgramItem", "precaution override for Clamshell (reason kept on the item)")


def test_a_precaution_override_is_said_once_on_the_items_entry(
    therapist_a, patient_a, clamshell, rf
):
    """Not on the program's entry as well: one fact, one entry, the one naming the exercise
    it was given for (as adding an exercise, assigning and changing a level say it)."""
    _precautions_against(patient_a, therapist_a, clamshell)
    last = _last_sequence()

    program_item_update(
        actor=therapist_a, item=clamshell, **_dose(clamshell), precaution_override="Surgeon OK",
        request=rf.post("/", REMOTE_ADDR="203.0.113.7"),
    )  # fmt: skip

    assert _entries_since(last) == [OVERRIDE]
    assert AuditEntry.objects.latest("sequence").ip_address == "203.0.113.7"
    assert not AuditEntry.objects.filter(detail__icontains="Surgeon").exists()


def test_an_override_with_a_dose_change_leaves_the_program_entry_the_dose(
    therapist_a, patient_a, clamshell
):
    _precautions_against(patient_a, therapist_a, clamshell)
    last = _last_sequence()

    program_item_update(
        actor=therapist_a, item=clamshell, **_dose(clamshell, sets=3),
        precaution_override="Surgeon OK",
    )  # fmt: skip

    dose = "Clamshell: 2 sets of 10 reps per side \N{RIGHTWARDS ARROW} 3 sets of 10 reps per side"
    assert _entries_since(last) == [("programs.Program", dose), OVERRIDE]


def test_an_override_no_longer_needed_is_said_removed_on_the_items_entry(therapist_a, clamshell):
    clamshell.precaution_override = "Surgeon OK"
    clamshell.precaution_override_covers = ["internal_rotation"]
    clamshell.save(update_fields=["precaution_override", "precaution_override_covers"])
    last = _last_sequence()

    # No precautions now: nothing to override, so the reason goes.
    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell))

    removed = ("programs.ProgramItem", "precaution override for Clamshell removed")
    assert _entries_since(last) == [removed]


def test_saving_an_item_as_it_was_says_so(therapist_a, clamshell):
    program_item_update(actor=therapist_a, item=clamshell, **_dose(clamshell))

    assert _last_detail() == "saved without changes"


def test_an_added_exercise_says_its_dose(therapist_a, program):
    abduction = ExerciseFactory(name="Side-lying hip abduction", default_sets=2, default_reps=10)

    program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=abduction))

    assert _last_detail() == "added Side-lying hip abduction (2 sets of 10 reps per side)"


def test_an_added_ladder_says_its_level(therapist_a, program):
    ladder = LadderFactory(name="Clamshell ladder", levels=3)

    program_item_add(
        actor=therapist_a, program=program, spec=ItemSpec(ladder=ladder, level=2, sets=1, reps=5)
    )

    assert _last_detail() == "added Clamshell ladder level 2 (1 set of 5 reps per side)"


def test_a_removed_exercise_is_named(therapist_a, program):
    bridge = ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Bridge"))

    program_item_remove(actor=therapist_a, item=bridge)

    assert _last_detail() == "removed Bridge"


def test_a_new_order_says_the_order_changed(therapist_a, program, clamshell):
    bridge = ExerciseItemFactory(program=program, position=1)

    program_items_reorder(actor=therapist_a, program=program, item_ids=[bridge.pk, clamshell.pk])

    assert _last_detail() == "order changed"


def test_a_move_past_the_top_changes_no_order(therapist_a, program, clamshell):
    ExerciseItemFactory(program=program, position=1)

    program_item_move(actor=therapist_a, item=clamshell, offset=-1)

    assert _last_detail() == "order unchanged"


def test_a_reorder_makes_as_many_queries_for_many_items_as_for_two(therapist_a, program):
    def queries(count: int) -> int:
        items = [ExerciseItemFactory(program=program, position=i) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            ids = [item.pk for item in reversed(items)]
            program_items_reorder(actor=therapist_a, program=program, item_ids=ids)
        program.items.all().delete()
        return len(captured)

    assert queries(8) == queries(2)


def test_a_rename_gives_both_names(therapist_a, program):
    program_update(actor=therapist_a, program=program, name="Hip strength 2")

    assert _last_detail() == (
        "renamed \N{LEFT DOUBLE QUOTATION MARK}Hip strength\N{RIGHT DOUBLE QUOTATION MARK}"
        " \N{RIGHTWARDS ARROW} "
        "\N{LEFT DOUBLE QUOTATION MARK}Hip strength 2\N{RIGHT DOUBLE QUOTATION MARK}"
    )


def test_program_notes_say_they_changed_never_what_they_say(therapist_a, program):
    program_update(actor=therapist_a, program=program, name=program.name, notes="Lives alone")

    assert _last_detail() == "note changed"
    assert not AuditEntry.objects.filter(detail__icontains="alone").exists()


def test_new_weekdays_give_both_schedules(therapist_a, program):
    program_schedule_update(
        actor=therapist_a, program=program, weekdays=[0, 1, 2, 3, 4],
        start_date=program.start_date, end_date=program.end_date,
    )  # fmt: skip

    assert _last_detail() == (
        "schedule Monday, Wednesday, Friday \N{RIGHTWARDS ARROW} "
        "Monday, Tuesday, Wednesday, Thursday, Friday"
    )


def test_new_dates_and_reminder_give_both(therapist_a, program):
    program_edit(
        actor=therapist_a, program=program,
        changes={"end_date": None, "reminder_time": dt.time(18, 30)},
    )  # fmt: skip

    assert _last_detail() == (
        "dates 1 Dec 2026 \N{EN DASH} 31 Jan 2027 \N{RIGHTWARDS ARROW} from 1 Dec 2026; "
        "reminder the clinic's time \N{RIGHTWARDS ARROW} 18:30"
    )


def test_an_assignment_says_it_assigned_with_its_days_and_dates(therapist_a, patient_a):
    template = TemplateProgramFactory(clinic=patient_a.clinic, weekdays=0b1111111)

    assigned = program_assign(
        actor=therapist_a, program=template, patient=patient_a, end_date=dt.date(2027, 1, 31)
    )

    entry = AuditEntry.objects.get(target_ref=str(assigned.public_id))
    assert (entry.action, entry.detail) == (
        Action.CREATE,
        "assigned to the patient (every day; 7 Dec 2026 \N{EN DASH} 31 Jan 2027)",
    )


def test_a_program_created_for_a_patient_says_draft_or_assigned(therapist_a, patient_a):
    draft = program_create(actor=therapist_a, name="Draft", patient=patient_a)
    started = program_create(actor=therapist_a, name="Now", patient=patient_a, activate=True)

    assert AuditEntry.objects.get(target_ref=str(draft.public_id)).detail == "draft created"
    assert AuditEntry.objects.get(target_ref=str(started.public_id)).detail == (
        "assigned to the patient (every day; from 7 Dec 2026)"
    )


def test_a_long_change_is_cut_within_the_limit_with_an_ellipsis(therapist_a, program):
    long_name = "Hip strength after total hip replacement " * 4

    program_edit(
        actor=therapist_a, program=program,
        changes={"name": long_name.strip(), "weekdays": [0, 1, 2, 3, 4, 5]},
    )  # fmt: skip

    detail = _last_detail()
    assert len(detail) <= DETAIL_MAX
    assert detail.startswith("renamed \N{LEFT DOUBLE QUOTATION MARK}Hip strength")
    assert detail.endswith("\N{HORIZONTAL ELLIPSIS}")
