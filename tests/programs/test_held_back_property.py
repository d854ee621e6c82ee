"""Property: the reminder claim and the Reminders page hold a program back by the same rule as
Today, for any programs, items, ladder levels, override reasons and hip precautions.

Both read item rows through ``apps.programs.held_back``; Today (``today_plan``) reads objects.
On each day of the coming week, the time the claim takes (``patients_due_for_reminder``) is
the earliest among the programs Today shows something of, else the clinic's; the page names
every program that Today shows something of on one of those days, or that prescribes nothing
in the week (it is not held back, only not yet started or not on those weekdays), and one
that Today shows nothing of on its first days of the week with the first day it shows
something of it.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.notifications.selectors import patients_due_for_reminder
from apps.patients.precautions import precaution_set
from apps.programs.precautions import conflict_key, conflicts
from apps.programs.reminder_selectors import REMINDER_WEEK_DAYS, program_reminder_times
from apps.programs.selectors import patient_items, prescribed_on, today_plan
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)

TODAY = date(2025, 1, 15)  # London is on UTC in January: the patient's today all day
ZONE = "Europe/London"
CLINIC_TIME = time(18, 0)

MOVEMENTS = st.sampled_from(
    [
        [],
        ["internal_rotation"],
        ["external_rotation"],
        ["extension", "external_rotation"],
        ["flexion_beyond_90", "single_leg_weight_bearing"],
    ]
)
OFFSET = st.integers(min_value=-3, max_value=8)  # days from today, mostly in the week
# None: no reason; "nothing": a reason that covers no conflict; "first": a reason given for
# the first precaution's conflicts with the exercise of today's level.
OVERRIDE = st.sampled_from([None, "nothing", "first"])
ITEM = st.fixed_dictionaries(
    {
        "movements": MOVEMENTS,
        # A ladder of two levels: ``level_since`` (when level 2 replaced level 1) or None.
        "ladder": st.none() | st.tuples(MOVEMENTS, st.none() | OFFSET),
        # Mostly rows for good, else rows replaced in the week (a new dose from a day).
        "active_from": st.one_of(st.none(), st.none(), OFFSET),
        "active_until": st.one_of(st.none(), st.none(), OFFSET),
        "override": OVERRIDE,
    }
)
PROGRAM = st.fixed_dictionaries(
    {
        "weekdays": st.just(0b1111111) | st.integers(1, 127),  # every day, half the time
        "start": st.integers(-10, 3),
        "length": st.none() | st.integers(0, 12),
        "items": st.lists(ITEM, min_size=1, max_size=3),
    }
)
PRECAUTION = st.tuples(
    st.sampled_from([("posterior", []), ("anterior", []), ("custom", ["external_rotation"])]),
    st.integers(-6, 4),  # starts, from today
    st.integers(1, 12),  # lasts
)


def day(offset):
    return None if offset is None else TODAY + timedelta(days=offset)


def _add_item(program, spec):
    dates = {"active_from": day(spec["active_from"]), "active_until": day(spec["active_until"])}
    if spec["ladder"] is None:
        exercise = ExerciseFactory(hip_movements=spec["movements"])
        return ExerciseItemFactory(program=program, exercise=exercise, **dates)
    later, since = spec["ladder"]
    item = LadderItemFactory(
        program=program, ladder__levels=2, current_level=2 if since is not None else 1,
        previous_level=1 if since is not None else None, level_since=day(since), **dates,
    )  # fmt: skip
    for level, movements in ((1, spec["movements"]), (2, later)):
        exercise = item.ladder.levels.get(level=level).exercise
        exercise.hip_movements = movements
        exercise.save(update_fields=["hip_movements"])
    return item


def _give_reason(item, choice, patient):
    """An override reason written as the builder stores it: the reason and the conflicts it
    was given for."""
    if choice is None:
        return
    covers = []
    first = patient.precautions.order_by("pk").first()
    if choice == "first" and first is not None:
        exercise = item.exercise or item.ladder.levels.get(level=item.level_on(TODAY)).exercise
        covers = [conflict_key(c, exercise) for c in conflicts(exercise, [first])]
    item.precaution_override = "Checked with the surgeon"
    item.precaution_override_covers = covers
    item.save(update_fields=["precaution_override", "precaution_override_covers"])


def _world(programs, precautions):
    patient = PatientFactory(time_zone=ZONE, reminder_time=None)
    for (kind, movements), starts, lasts in precautions:
        precaution_set(
            actor=patient.therapist, patient=patient, kind=kind, movements=movements,
            starts_on=day(starts), ends_on=day(starts + lasts),
        )  # fmt: skip
    made = []
    for n, spec in enumerate(programs):
        start = day(spec["start"])
        end = None if spec["length"] is None else start + timedelta(days=spec["length"])
        program = ProgramFactory(
            patient=patient, name=f"Program {n}", reminder_time=time(7, n),
            weekdays=spec["weekdays"], start_date=start, end_date=end,
        )  # fmt: skip
        for item_spec in spec["items"]:
            _give_reason(_add_item(program, item_spec), item_spec["override"], patient)
        made.append(program)
    return patient, made


def _claimed_time(patient, on):
    """The time the reminder claim takes for the patient on ``on`` (None: no reminder due)."""
    due = patients_due_for_reminder(time_zone=ZONE, day=on, at=time(23, 59))
    return next((at for pk, at, _ in due if pk == patient.pk), None)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    programs=st.lists(PROGRAM, min_size=1, max_size=3),
    precautions=st.lists(PRECAUTION, min_size=1, max_size=2),
)
def test_the_claim_and_the_page_hold_back_what_today_leaves_out(db, programs, precautions):
    with time_machine.travel("2025-01-15 12:00Z", tick=False):
        patient, made = _world(programs, precautions)
        times = {program.pk: program.reminder_time for program in made}
        prescribing: dict[int, date] = {}  # a program's first day prescribing in the week
        shown: dict[int, date] = {}  # and its first day Today shows something of it
        for offset in range(REMINDER_WEEK_DAYS):
            on = TODAY + timedelta(days=offset)
            todays = {i.program_id for i in prescribed_on(patient_items(patient=patient), on)}
            showing = {entry.item.program_id for entry in today_plan(patient=patient, on=on).items}
            expected = min((times[pk] for pk in showing), default=CLINIC_TIME) if todays else None
            assert _claimed_time(patient, on) == expected, on
            for pk in todays:
                prescribing.setdefault(pk, on)
            for pk in showing:
                shown.setdefault(pk, on)

        named = {
            p.program_name: p.resumes_on
            for p in program_reminder_times(patient=patient, today=TODAY)
        }

    running = [p for p in made if p.end_date is None or p.end_date >= TODAY]
    # A program held back on its first days of the week is named with the day Today shows
    # something of it again.
    assert named == {
        p.name: shown[p.pk] if p.pk in shown and shown[p.pk] != prescribing[p.pk] else None
        for p in running
        if p.pk in shown or p.pk not in prescribing
    }
