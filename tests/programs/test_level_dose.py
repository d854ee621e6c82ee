"""A level whose exercise has another usual dose brings that dose (CLINICAL.md gives each
exercise its own: the windshield-wiper stretch is a 20-30 s hold, the reverse clamshell 2 sets
of 10 reps building to 20, the single-leg squat 8 reps). The patient is never told to do the
new exercise in the old one's terms, the days before keep their dose, a ladder whose levels
share a dose keeps the therapist's own, and such a level is never advanced automatically."""

from datetime import timedelta

import pytest

from apps.exercises.loading import library_load
from apps.notifications.selectors import prompt_cards
from apps.notifications.services import set_log_evaluate
from apps.programs.models import ProgramItem, ProgressionPrompt, PromptStatus
from apps.programs.prompt_decisions import item_level_set, prompt_approve
from apps.programs.selectors import today_plan
from tests.notifications.factories import SetLogFactory
from tests.programs.ladder_items import library_ladder_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    library_load()


def _item(patient, ladder_key, **dose):
    return library_ladder_item(patient, ladder_key, **dose)


def _in_force(item, day):
    (row,) = [row for row in ProgramItem.objects.filter(track=item.track) if row.is_active_on(day)]
    return row


def _hold_set(item, seconds, side):
    return SetLogFactory(item=item, side=side, reps=None, hold_seconds=seconds, pain=1)


def test_from_the_stretch_to_the_reverse_clamshell_the_dose_becomes_reps(
    library, patient_a, therapist_a
):
    item = _item(patient_a, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    for side in ("left", "right"):
        set_log_evaluate(log_id=_hold_set(item, 30, side).pk)
    prompt = ProgressionPrompt.objects.get()
    (card,) = prompt_cards([prompt])
    assert card.next_dose == "2 sets of 10\N{EN DASH}20 reps per side, rest 60 s"

    prompt_approve(prompt=prompt, user=therapist_a)

    today = patient_a.local_today()
    tomorrow = today + timedelta(days=1)
    old, new = _in_force(item, today), _in_force(item, tomorrow)
    assert (old.pk, old.hold_seconds, old.reps, old.sets) == (item.pk, 20, None, 1)
    assert (new.level_on(tomorrow), new.reps, new.reps_up_to, new.hold_seconds, new.sets) == (
        2, 10, 20, None, 2,
    )  # fmt: skip
    plan = today_plan(patient=patient_a, on=tomorrow)
    assert plan.items[0].exercise.key == "clam-2"
    assert not plan.items[0].is_hold


def test_at_the_new_level_twenty_reps_raise_the_next_prompt(library, patient_a, therapist_a):
    """The ladder no longer sticks: at level 2 the patient logs reps, and 20 of them a side
    qualify for level 3."""
    item = _item(patient_a, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    item_level_set(item=item, user=therapist_a, level=2, reason="Ready for the clamshell")
    tomorrow = patient_a.local_today() + timedelta(days=1)
    level_two = _in_force(item, tomorrow)

    for side in ("left", "right"):
        log = SetLogFactory(item=level_two, side=side, reps=20, pain=1, performed_on=tomorrow)
        set_log_evaluate(log_id=log.pk)

    assert ProgressionPrompt.objects.get().level == 2


def test_a_ladder_whose_levels_share_a_dose_keeps_the_therapists(library, patient_a, therapist_a):
    item = _item(patient_a, "clamshell-boren-2011", sets=3, reps=12, reps_up_to=20)

    item_level_set(item=item, user=therapist_a, level=2, reason="Moving on")

    tomorrow = patient_a.local_today() + timedelta(days=1)
    carried = _in_force(item, tomorrow)
    assert carried.pk == item.pk  # the same row, its level changed
    assert (carried.sets, carried.reps, carried.reps_up_to) == (3, 12, 20)


def test_the_days_before_keep_the_dose_they_were_prescribed(library, patient_a, therapist_a):
    from apps.programs.adherence import daily_adherence

    item = _item(patient_a, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    week_ago = patient_a.local_today() - timedelta(days=7)
    before = [
        d.prescribed
        for d in daily_adherence(
            patient=patient_a, start=week_ago, end=week_ago + timedelta(days=6)
        )
    ]

    item_level_set(item=item, user=therapist_a, level=2, reason="Ready")

    after = [
        d.prescribed
        for d in daily_adherence(
            patient=patient_a, start=week_ago, end=week_ago + timedelta(days=6)
        )
    ]
    assert before == after == [2] * 7  # 1 set a side, as prescribed then


def test_automatic_advance_waits_for_the_therapist_when_the_dose_would_change(library, patient_a):
    item = _item(patient_a, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    item.auto_advance = True
    item.save(update_fields=["auto_advance"])

    for side in ("left", "right"):
        set_log_evaluate(log_id=_hold_set(item, 30, side).pk)

    assert ProgressionPrompt.objects.get().status == PromptStatus.PENDING
    item.refresh_from_db()
    assert item.current_level == 1


def test_automatic_advance_still_advances_where_the_dose_carries_on(library, patient_a):
    item = _item(
        patient_a, "clamshell-boren-2011", sets=2, reps=10, reps_up_to=20, auto_advance=True
    )

    for side in ("left", "right"):
        log = SetLogFactory(item=item, side=side, reps=20, pain=1)
        set_log_evaluate(log_id=log.pk)

    assert ProgressionPrompt.objects.get().status == PromptStatus.AUTO_APPROVED
    item.refresh_from_db()
    assert item.current_level == 2


# On the day a level with its own dose is approved, the track has two rows: today's (the old
# dose, ending today) and tomorrow's (the new level's dose). Everything that reads the program
# takes the one it means, never both: the patient is never given the exercise twice, nor the
# stretch in reps.


def _stretch_then_clam(patient, therapist):
    item = _item(patient, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    item_level_set(item=item, user=therapist, level=2, reason="Ready for the clamshell")
    return item


def _plan(patient, day):
    return [
        (row.exercise.key, row.item.hold_seconds, row.item.reps)
        for row in today_plan(patient=patient, on=day).items
    ]


def test_a_copy_made_that_day_has_each_exercise_once_at_todays_level_and_dose(
    library, patient_a, therapist_a
):
    from apps.programs import assign_services, services
    from tests.factories import PatientFactory

    item = _stretch_then_clam(patient_a, therapist_a)
    other = PatientFactory(therapist=therapist_a)

    template = services.program_save_as_template(
        actor=therapist_a, program=item.program, name="Reverse clamshell"
    )
    copy = assign_services.program_assign(actor=therapist_a, program=item.program, patient=other)

    for program in (template, copy):
        assert list(program.items.values_list("current_level", "hold_seconds", "reps")) == [
            (1, 20, None)
        ]
    assert _plan(other, other.local_today()) == [("windshield-wiper-stretch", 20, None)]


def test_new_weekdays_that_day_keep_todays_dose_today_and_the_new_one_from_tomorrow(
    library, patient_a, therapist_a
):
    from apps.programs import edit_services

    item = _stretch_then_clam(patient_a, therapist_a)
    today = patient_a.local_today()
    tomorrow = today + timedelta(days=1)

    # Another day off (neither today nor tomorrow): new weekdays start a new version today.
    weekdays = [day for day in range(7) if day != (today.weekday() + 3) % 7]
    edit_services.program_schedule_update(
        actor=therapist_a, program=item.program, weekdays=weekdays,
        start_date=item.program.start_date,
    )  # fmt: skip

    assert _plan(patient_a, today) == [("windshield-wiper-stretch", 20, None)]
    assert _plan(patient_a, tomorrow) == [("clam-2", None, 10)]


def test_the_builder_shows_the_ladder_once_with_the_level_to_come_and_its_dose(
    library, patient_a, therapist_a
):
    from django.urls import reverse

    from tests.conftest import signed_in

    item = _stretch_then_clam(patient_a, therapist_a)
    tomorrow = patient_a.local_today() + timedelta(days=1)

    response = signed_in(therapist_a).get(
        reverse("programs:builder", args=[item.program.public_id])
    )

    html = response.content.decode()
    assert html.count("Change level<") == 1
    assert f"level 2 of 4 from {tomorrow:%A %-d %B}" in html
    assert "2 sets of 10\N{EN DASH}20 reps per side" in html


def test_the_handout_printed_that_day_has_the_exercise_once(library, patient_a, therapist_a):
    from apps.programs.handout import handout_programs

    _stretch_then_clam(patient_a, therapist_a)

    (program,) = handout_programs(patient=patient_a, today=patient_a.local_today())
    assert [(line.exercise.key, line.dose) for line in program.lines] == [
        ("windshield-wiper-stretch", "1 set of 20\N{EN DASH}30-second holds per side, rest 60 s")
    ]


def test_a_same_day_correction_back_to_the_stretch_gives_the_stretch_its_own_dose(
    library, patient_a, therapist_a
):
    """Level 2 set by mistake, then back to 1 the same day: the row from tomorrow carried the
    reverse clamshell's reps, and the stretch must not be given in them."""
    item = _stretch_then_clam(patient_a, therapist_a)
    tomorrow = patient_a.local_today() + timedelta(days=1)

    item_level_set(
        item=_in_force(item, tomorrow), user=therapist_a, level=1, reason="Wrong patient"
    )

    assert _plan(patient_a, tomorrow) == [("windshield-wiper-stretch", 20, None)]
