import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError

from apps.programs.assign_services import program_assign
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_order import program_item_move, program_items_reorder
from apps.programs.item_services import (
    ItemSpec,
    program_item_add,
    program_item_remove,
    program_item_update,
)
from apps.programs.models import Program, ProgramItem, SetLog
from apps.programs.services import program_create, program_save_as_template
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 12)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 12, tzinfo=dt.UTC), tick=False)


DOSE = {"sets": 3, "reps": 12, "hold_seconds": None, "per_side": True, "rest_seconds": 45}


def _log(item, day=TODAY):
    return SetLog.objects.create(
        client_id=uuid.uuid4(),
        patient=item.program.patient,
        item=item,
        performed_on=day,
        reps=10,
        pain=2,
        exercise=item.exercise or item.ladder.levels.get(level=item.current_level).exercise,
        target_sets=item.sets,
        target_reps=item.reps,
        target_per_side=item.per_side,
    )


def test_program_create_for_a_patient_is_a_draft_starting_on_the_patient_today(therapist_a):
    patient = PatientFactory(therapist=therapist_a)
    exercise = ExerciseFactory(default_sets=3, default_reps=8, per_side=False)
    ladder = LadderFactory()

    program = program_create(
        actor=therapist_a,
        name="Hips",
        patient=patient,
        items=[ItemSpec(exercise=exercise), ItemSpec(ladder=ladder, level=2, sets=1, reps=5)],
    )

    assert not program.is_active
    assert not program.is_template
    assert program.start_date == TODAY
    single, rung = program.items.all()
    assert (single.sets, single.reps, single.per_side, single.position) == (3, 8, False, 0)
    assert (rung.current_level, rung.sets, rung.reps, rung.position) == (2, 1, 5, 1)


def test_program_create_without_patient_is_a_template_and_copies_a_template(therapist_a):
    source = TemplateProgramFactory(clinic=therapist_a.clinic, weekdays=0b0010101)
    ExerciseItemFactory(program=source, sets=4)

    template = program_create(actor=therapist_a, name="Copy", template=source)

    assert template.is_template
    assert template.patient is None
    assert template.weekdays == 0b0010101
    assert [item.sets for item in template.items.all()] == [4]


def test_a_hold_exercise_gets_its_default_hold(therapist_a):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)
    squeeze = ExerciseFactory(default_sets=5, default_reps=None, default_hold_seconds=5)

    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=squeeze))

    assert (item.sets, item.reps, item.hold_seconds) == (5, None, 5)


@pytest.mark.parametrize(
    ("dose", "field"),
    [
        ({"sets": 0}, "sets"),
        ({"sets": 21}, "sets"),
        ({"reps": 201}, "reps"),
        ({"reps": None, "hold_seconds": 601}, "hold_seconds"),
        ({"reps": 5, "hold_seconds": 5}, "hold_seconds"),
    ],
)
def test_program_item_add_rejects_a_dose_out_of_range(therapist_a, dose, field):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)
    spec = ItemSpec(exercise=ExerciseFactory(), **{"sets": 2, "reps": 10} | dose)

    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=program, spec=spec)

    assert field in error.value.message_dict
    assert not program.items.exists()


def test_a_ladder_starting_level_must_exist(therapist_a):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)
    spec = ItemSpec(ladder=LadderFactory(levels=4), level=5)

    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=program, spec=spec)

    assert "no level 5" in error.value.message_dict["level"][0]


def test_another_clinics_exercise_cannot_be_added(therapist_a, clinic_b):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)

    with pytest.raises(ValidationError):
        program_item_add(
            actor=therapist_a,
            program=program,
            spec=ItemSpec(exercise=ExerciseFactory(clinic=clinic_b)),
        )


def test_program_create_saves_nothing_when_one_item_is_invalid(therapist_a):
    with pytest.raises(ValidationError) as error:
        program_create(
            actor=therapist_a,
            name="Hips",
            items=[
                ItemSpec(exercise=ExerciseFactory()),
                ItemSpec(exercise=ExerciseFactory(), sets=99),
            ],
        )

    assert "items.1.sets" in error.value.message_dict
    assert not Program.objects.exists()


def test_a_dose_edit_of_a_started_item_ends_the_row_and_starts_one_of_the_same_track(therapist_a):
    item = LadderItemFactory(
        program__patient__therapist=therapist_a, current_level=2, previous_level=1
    )
    log = _log(item, TODAY - dt.timedelta(days=2))

    new = program_item_update(actor=therapist_a, item=item, **DOSE)

    item.refresh_from_db()
    assert item.active_until == TODAY - dt.timedelta(days=1)
    assert (item.sets, item.reps) == (2, 10)
    assert new.pk != item.pk
    assert new.track == item.track
    assert (new.active_from, new.sets, new.reps, new.rest_seconds) == (TODAY, 3, 12, 45)
    assert (new.current_level, new.previous_level, new.position) == (2, 1, item.position)
    log.refresh_from_db()
    assert (log.item_id, log.target_sets, log.target_reps) == (item.pk, 2, 10)


def test_a_dose_edit_with_no_history_changes_the_row_in_place(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a, start_date=TODAY)
    item = ExerciseItemFactory(program=program)

    new = program_item_update(actor=therapist_a, item=item, **DOSE)

    assert new.pk == item.pk
    assert ProgramItem.objects.get().sets == 3


def test_a_notes_edit_never_starts_a_new_row(therapist_a):
    item = ExerciseItemFactory(
        program__patient__therapist=therapist_a, sets=3, reps=12, rest_seconds=45
    )

    new = program_item_update(actor=therapist_a, item=item, **DOSE, notes="Slowly")

    assert new.pk == item.pk
    assert ProgramItem.objects.count() == 1
    assert ProgramItem.objects.get().notes == "Slowly"


def test_an_ended_row_cannot_be_edited(therapist_a):
    item = ExerciseItemFactory(program__patient__therapist=therapist_a)
    program_item_update(actor=therapist_a, item=item, **DOSE)

    with pytest.raises(ValidationError):
        program_item_update(actor=therapist_a, item=item, **DOSE | {"sets": 4})


def test_removing_an_item_with_history_ends_it_yesterday(therapist_a):
    item = ExerciseItemFactory(program__patient__therapist=therapist_a)

    program_item_remove(actor=therapist_a, item=item)

    item.refresh_from_db()
    assert item.active_until == TODAY - dt.timedelta(days=1)


def test_removing_an_item_added_today_without_logs_deletes_it(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a)
    item = program_item_add(
        actor=therapist_a, program=program, spec=ItemSpec(exercise=ExerciseFactory())
    )
    assert item.active_from == TODAY

    program_item_remove(actor=therapist_a, item=item)

    assert not ProgramItem.objects.exists()


def test_removing_an_item_added_today_with_a_log_keeps_the_row(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a)
    item = program_item_add(
        actor=therapist_a, program=program, spec=ItemSpec(exercise=ExerciseFactory())
    )
    _log(item)

    program_item_remove(actor=therapist_a, item=item)

    assert ProgramItem.objects.get().active_until == TODAY - dt.timedelta(days=1)


def test_reorder_and_move_change_positions_of_current_items(therapist_a):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)
    first, second, third = (ExerciseItemFactory(program=program, position=n) for n in range(3))

    program_items_reorder(
        actor=therapist_a, program=program, item_ids=[third.pk, first.pk, second.pk]
    )
    program_item_move(actor=therapist_a, item=second, offset=-1)

    assert list(program.items.values_list("pk", flat=True)) == [third.pk, second.pk, first.pk]


def test_reorder_needs_every_item_once(therapist_a):
    program = TemplateProgramFactory(clinic=therapist_a.clinic)
    first, _second = (ExerciseItemFactory(program=program, position=n) for n in range(2))

    with pytest.raises(ValidationError):
        program_items_reorder(actor=therapist_a, program=program, item_ids=[first.pk, first.pk])


def test_schedule_update_validates_weekdays_and_dates(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a, start_date=TODAY)

    with pytest.raises(ValidationError) as no_days:
        program_schedule_update(actor=therapist_a, program=program, weekdays=[], start_date=TODAY)
    with pytest.raises(ValidationError) as backwards:
        program_schedule_update(
            actor=therapist_a,
            program=program,
            weekdays=[0],
            start_date=TODAY,
            end_date=TODAY - dt.timedelta(days=1),
        )

    assert "weekdays" in no_days.value.message_dict
    assert "end_date" in backwards.value.message_dict


def test_a_started_program_keeps_its_start_date_and_past(therapist_a):
    program = ProgramFactory(
        patient__therapist=therapist_a, start_date=TODAY - dt.timedelta(days=9)
    )

    with pytest.raises(ValidationError) as moved:
        program_schedule_update(actor=therapist_a, program=program, weekdays=[0], start_date=TODAY)
    with pytest.raises(ValidationError) as cut:
        program_schedule_update(
            actor=therapist_a,
            program=program,
            weekdays=[0],
            start_date=program.start_date,
            end_date=TODAY - dt.timedelta(days=3),
        )
    same = program_schedule_update(
        actor=therapist_a,
        program=program,
        weekdays=program.weekday_numbers,
        start_date=program.start_date,
        end_date=TODAY,
    )

    assert "start_date" in moved.value.message_dict
    assert "end_date" in cut.value.message_dict
    assert same.pk == program.pk
    program.refresh_from_db()
    assert program.end_date == TODAY


def test_new_weekdays_for_a_started_program_continue_it_from_today(therapist_a):
    program = ProgramFactory(
        patient__therapist=therapist_a, start_date=TODAY - dt.timedelta(days=9)
    )
    item = LadderItemFactory(program=program, current_level=3, previous_level=2)
    last_week = TODAY - dt.timedelta(days=7)

    follow_on = program_schedule_update(
        actor=therapist_a, program=program, weekdays=[0, 2], start_date=program.start_date
    )

    program.refresh_from_db()
    item.refresh_from_db()
    assert program.end_date == TODAY - dt.timedelta(days=1)
    assert program.is_scheduled_on(last_week)
    assert item.active_until == TODAY - dt.timedelta(days=1)
    assert (follow_on.start_date, follow_on.weekday_numbers, follow_on.patient) == (
        TODAY,
        [0, 2],
        program.patient,
    )
    (carried,) = follow_on.items.all()
    assert (carried.track, carried.current_level, carried.previous_level) == (item.track, 3, 2)
    assert follow_on.is_scheduled_on(TODAY)
    assert not follow_on.is_scheduled_on(last_week)


def test_assigning_a_template_copies_it_into_the_patient_own_program(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, name="Clam start", weekdays=0b110)
    ladder_item = LadderItemFactory(program=template, current_level=2)
    patient = PatientFactory(therapist=therapist_a)

    program = program_assign(actor=therapist_a, program=template, patient=patient, start_date=TODAY)

    assert program.pk != template.pk
    assert (program.patient, program.name, program.weekdays, program.is_active) == (
        patient,
        "Clam start",
        0b110,
        True,
    )
    copied = program.items.get()
    assert copied.track != ladder_item.track
    assert copied.current_level == 2
    assert template.items.count() == 1
    assert program.is_scheduled_on(TODAY)


def test_assigning_a_patient_draft_starts_it(therapist_a):
    patient = PatientFactory(therapist=therapist_a)
    draft = program_create(actor=therapist_a, name="Draft", patient=patient)

    program = program_assign(
        actor=therapist_a, program=draft, patient=patient, start_date=TODAY + dt.timedelta(days=1)
    )

    assert program.pk == draft.pk
    assert program.is_active
    with pytest.raises(ValidationError):
        program_assign(actor=therapist_a, program=draft, patient=patient)


def test_a_program_cannot_be_assigned_across_clinics(therapist_a, patient_b):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)

    with pytest.raises(ValidationError):
        program_assign(actor=therapist_a, program=template, patient=patient_b)


def test_save_as_template_copies_current_items_at_their_level_today(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a)
    LadderItemFactory(program=program, current_level=3, previous_level=2, level_since=TODAY)
    ExerciseItemFactory(program=program, active_until=TODAY - dt.timedelta(days=2))

    template = program_save_as_template(actor=therapist_a, program=program, name="From Ann")

    assert template.is_template
    assert template.patient is None
    assert [item.current_level for item in template.items.all()] == [3]


def test_items_created_with_a_backdated_program_start_with_it(therapist_a):
    patient = PatientFactory(therapist=therapist_a)

    program = program_create(
        actor=therapist_a,
        name="Since last week",
        patient=patient,
        start_date=TODAY - dt.timedelta(days=7),
        activate=True,
        items=[ItemSpec(exercise=ExerciseFactory())],
        backdated=True,  # as the demo seed writes a week of history
    )

    item = program.items.get()
    assert item.active_from is None
    assert item.is_active_on(TODAY - dt.timedelta(days=7))


def test_automatic_advance_is_off_in_a_program_copied_for_a_patient(therapist_a):
    """CLINICAL.md: a level advances by itself only when the therapist turned that on for
    the patient, so a template's (or another patient's) automatic advance is not copied."""
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderItemFactory(program=template, auto_advance=True)
    first, second = PatientFactory(therapist=therapist_a), PatientFactory(therapist=therapist_a)

    program = program_assign(actor=therapist_a, program=template, patient=first, start_date=TODAY)
    assert [item.auto_advance for item in program.items.all()] == [False]
    program.items.update(auto_advance=True)  # turned on for this patient by the therapist
    copied = program_assign(actor=therapist_a, program=program, patient=second, start_date=TODAY)
    kept = program_save_as_template(actor=therapist_a, program=program, name="Auto")

    assert [item.auto_advance for item in program.items.all()] == [True]
    assert [item.auto_advance for item in copied.items.all()] == [False]
    assert [item.auto_advance for item in kept.items.all()] == [True]
    assert [item.auto_advance for item in template.items.all()] == [True]


# --- The reminder time (part of the schedule) --------------------------------------------------


def test_the_schedule_sets_and_clears_the_program_reminder_time(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a, start_date=TODAY)

    saved = program_schedule_update(
        actor=therapist_a,
        program=program,
        weekdays=[0, 2, 4],
        start_date=TODAY,
        reminder_time=dt.time(9, 45),
    )
    program.refresh_from_db()
    assert (saved.pk, program.reminder_time) == (program.pk, dt.time(9, 45))

    program_schedule_update(actor=therapist_a, program=program, weekdays=[0], start_date=TODAY)
    program.refresh_from_db()
    assert program.reminder_time is None


def test_a_reminder_time_inside_quiet_hours_is_refused_and_nothing_changes(therapist_a):
    program = ProgramFactory(patient__therapist=therapist_a, start_date=TODAY, weekdays=0b1111111)

    with pytest.raises(ValidationError) as quiet:
        program_schedule_update(
            actor=therapist_a,
            program=program,
            weekdays=[0],
            start_date=TODAY,
            reminder_time=dt.time(22, 30),
        )

    assert quiet.value.message_dict["reminder_time"] == [
        "22:30 is inside the clinic's quiet hours (21:00 to 08:00): no reminder would ever be "
        "sent. Choose a time outside them."
    ]
    program.refresh_from_db()
    assert (program.weekdays, program.reminder_time) == (0b1111111, None)
    with pytest.raises(ValidationError) as created:
        program_create(
            actor=therapist_a, name="Evening", patient=program.patient, reminder_time=dt.time(6)
        )
    assert "reminder_time" in created.value.message_dict
    assert Program.objects.filter(name="Evening").count() == 0


def test_the_reminder_time_goes_with_the_program_into_copies_and_new_versions(
    therapist_a, time_machine
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, reminder_time=dt.time(10, 15))
    LadderItemFactory(program=template)
    patient = PatientFactory(therapist=therapist_a)
    time_machine.move_to(dt.datetime(2025, 3, 9, 12, tzinfo=dt.UTC), tick=False)
    assigned = program_assign(
        actor=therapist_a, program=template, patient=patient, start_date=TODAY - dt.timedelta(3)
    )
    time_machine.move_to(dt.datetime(2025, 3, 12, 12, tzinfo=dt.UTC), tick=False)

    follow_on = program_schedule_update(
        actor=therapist_a,
        program=assigned,
        weekdays=[1, 3],
        start_date=assigned.start_date,
        reminder_time=dt.time(11, 0),
    )
    saved_as = program_save_as_template(actor=therapist_a, program=follow_on, name="Mornings")
    started = program_create(actor=therapist_a, name="From it", template=saved_as, patient=patient)

    assigned.refresh_from_db()
    assert assigned.reminder_time == dt.time(10, 15), "a new version leaves the past as it was"
    assert follow_on.pk != assigned.pk
    assert [p.reminder_time for p in (follow_on, saved_as, started)] == [dt.time(11, 0)] * 3
