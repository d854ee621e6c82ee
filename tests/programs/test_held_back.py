"""``held_back.programs_held_back``: which programs hip precautions hold back entirely over a
period (one day for the reminder claim, a week for the Reminders page), read from item rows
by Today's rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.patients.models import Patient
from apps.patients.precautions import precaution_set
from apps.programs.adherence import daily_adherence, patient_schedules
from apps.programs.held_back import (
    ItemSpan,
    first_weekday_in,
    held_back_until,
    item_span,
    programs_held_back,
    weekdays_in,
)
from apps.programs.precautions import conflict_key, conflicts
from apps.programs.selectors import today_plan
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 15)  # a Wednesday
WEEK_END = DAY + timedelta(days=6)
INWARD = ["internal_rotation"]  # posterior precautions rule it out
OUTWARD = ["external_rotation"]  # they allow it


def posterior(patient, *, starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 12)):
    return precaution_set(
        actor=patient.therapist, patient=patient, kind="posterior",
        starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip


def program_of(*movements, patient=None, **fields):
    """A program every day from January 1st, one item per ``movements``."""
    program = ProgramFactory(
        patient=patient or PatientFactory(), start_date=date(2025, 1, 1), **fields
    )
    for tags in movements:
        ExerciseItemFactory(program=program, exercise=ExerciseFactory(hip_movements=tags))
    return program


def held(program, start=DAY, end=DAY):
    return program.pk in programs_held_back(patients=[program.patient_id], start=start, end=end)


def ladder_moving_on(program, *, since, before, after):
    """A ladder item of ``program`` at level 2 from ``since``, level 1 before."""
    item = LadderItemFactory(
        program=program, ladder__levels=2, current_level=2, previous_level=1, level_since=since
    )
    for level, tags in ((1, before), (2, after)):
        exercise = item.ladder.levels.get(level=level).exercise
        exercise.hip_movements = tags
        exercise.save(update_fields=["hip_movements"])
    return item


def test_a_program_whose_every_exercise_is_held_back_is_held_back():
    everything = program_of(INWARD, ["flexion_beyond_90"])
    one_left = program_of(INWARD, OUTWARD)
    posterior(everything.patient)
    posterior(one_left.patient)

    assert held(everything)
    assert not held(one_left)


def test_without_precautions_in_force_nothing_is_held_back():
    ended = program_of(INWARD)
    posterior(ended.patient, ends_on=DAY)  # the end date is the first day without them

    assert not held(ended)


def test_over_a_week_a_program_is_held_back_only_if_it_is_on_each_of_its_days():
    """The precautions end on Friday: held back on Wednesday and Thursday, not over the week."""
    program = program_of(INWARD)
    posterior(program.patient, ends_on=DAY + timedelta(days=2))

    assert held(program)
    assert held(program, DAY, DAY + timedelta(days=1))
    assert not held(program, DAY, WEEK_END)


def test_a_ladder_level_starting_later_in_the_week_is_read_on_its_days():
    """Level 1 (held back) until Saturday, level 2 (allowed) from then; and the other way."""
    saturday = DAY + timedelta(days=3)
    freed = program_of()
    ladder_moving_on(freed, since=saturday, before=INWARD, after=OUTWARD)
    caught = program_of()
    ladder_moving_on(caught, since=saturday, before=OUTWARD, after=INWARD)
    posterior(freed.patient)
    posterior(caught.patient)

    assert held(freed)
    assert not held(freed, DAY, WEEK_END)
    assert not held(caught)
    assert held(caught, saturday, WEEK_END)
    assert not held(caught, DAY, WEEK_END)


def _reason_for(item, precaution):
    """The therapist's override reason, given for ``precaution``'s conflicts only."""
    found = conflicts(item.exercise, [precaution])
    item.precaution_override = "Checked with the surgeon"
    item.precaution_override_covers = [conflict_key(c, item.exercise) for c in found]
    item.save(update_fields=["precaution_override", "precaution_override_covers"])


def test_an_override_reason_frees_only_the_conflicts_it_was_given_for():
    cleared = program_of(INWARD)
    _reason_for(cleared.items.get(), posterior(cleared.patient))
    again = program_of(INWARD)
    _reason_for(again.items.get(), posterior(again.patient, ends_on=DAY))
    posterior(again.patient, starts_on=DAY)  # set afresh: the reason was not given for these

    assert not held(cleared)
    assert held(again)


def test_a_program_with_nothing_on_the_days_asked_about_is_not_held_back():
    """Scheduled on Mondays only: nothing to hold back on Wednesday, the day of its reminder
    is still to come."""
    mondays = program_of(INWARD, weekdays=0b0000001)
    posterior(mondays.patient)

    assert not held(mondays)
    assert held(mondays, DAY, WEEK_END)


def test_a_program_held_back_on_its_first_days_is_given_the_day_it_has_something_again():
    """Every day, precautions ending on Friday: held back until Friday. On Mondays only: its
    first day in the week (Monday) is not held back, so nothing is named. On Mondays and
    Wednesdays with precautions ending on Saturday: back on Monday."""
    friday = DAY + timedelta(days=2)
    until_friday = program_of(INWARD)
    posterior(until_friday.patient, ends_on=friday)
    mondays = program_of(INWARD, weekdays=0b0000001)
    posterior(mondays.patient, ends_on=friday)
    two_days = program_of(INWARD, weekdays=0b0000101)
    posterior(two_days.patient, ends_on=friday + timedelta(days=1))
    all_week = program_of(INWARD)
    posterior(all_week.patient)
    patients = [p.patient_id for p in (until_friday, mondays, two_days, all_week)]

    found = held_back_until(patients=patients, start=DAY, end=WEEK_END)

    assert found == {
        until_friday.pk: friday, two_days.pk: DAY + timedelta(days=5), all_week.pk: None,
    }  # fmt: skip


def test_it_agrees_with_today():
    program = program_of(INWARD, ["flexion_beyond_90"])
    ladder_moving_on(program, since=DAY + timedelta(days=1), before=INWARD, after=OUTWARD)
    posterior(program.patient)

    for offset in range(7):
        on = DAY + timedelta(days=offset)
        assert held(program, on, on) == (today_plan(patient=program.patient, on=on).items == [])
    back = held_back_until(patients=[program.patient_id], start=DAY, end=WEEK_END)
    assert back == {program.pk: DAY + timedelta(days=1)}


def test_one_query_without_precautions_three_at_most_with(django_assert_num_queries):
    patients = []
    for _ in range(3):
        program = program_of(INWARD)
        ladder_moving_on(program, since=DAY, before=INWARD, after=INWARD)
        patients.append(program.patient_id)
    with django_assert_num_queries(1):
        assert programs_held_back(patients=patients, start=DAY, end=WEEK_END) == set()
    for patient in Patient.objects.filter(pk__in=patients):
        posterior(patient)

    with django_assert_num_queries(3):
        assert len(programs_held_back(patients=patients, start=DAY, end=WEEK_END)) == 3


def expected_days(program, start, end):
    """The days of ``start..end`` adherence expects sets of ``program``'s one item on, read
    from the item rows (``patient_schedules``) and checked against the day-by-day reference."""
    schedule = patient_schedules(patient_ids=[program.patient_id], start=start, end=end)[
        program.patient_id
    ]
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    expected = [day for day in days if schedule.prescribed_on(day)]
    assert schedule.prescribed_units(start, end) == 4 * len(expected)  # 2 sets, per side
    reference = daily_adherence(patient=program.patient, start=start, end=end)
    assert [day.date for day in reference if day.scheduled] == expected
    return expected


def _days(*offsets):
    return [DAY + timedelta(days=k) for k in offsets]


def test_adherence_expects_nothing_on_a_held_back_first_or_last_day_of_the_program():
    """DESIGN.md: adherence counts only the days something is prescribed; an exercise the
    precautions hold back prescribes nothing. Held back on the program's first day only, or
    from its last day on: every other day of it is still expected, and none after its end."""
    first_day = program_of(INWARD, end_date=DAY + timedelta(days=1))
    first_day.start_date = DAY
    first_day.save(update_fields=["start_date"])
    posterior(first_day.patient, ends_on=DAY + timedelta(days=1))
    last_day = program_of(INWARD, end_date=DAY + timedelta(days=1))
    posterior(last_day.patient, starts_on=DAY + timedelta(days=1))
    after_end = program_of(INWARD, end_date=DAY)
    posterior(after_end.patient, starts_on=DAY + timedelta(days=2))

    assert expected_days(first_day, DAY - timedelta(days=2), WEEK_END) == _days(1)
    assert expected_days(last_day, DAY - timedelta(days=1), WEEK_END) == _days(-1, 0)
    assert expected_days(after_end, DAY - timedelta(days=1), WEEK_END) == _days(-1, 0)


def test_adherence_expects_the_free_days_between_precautions_that_hold_it_back():
    """Precautions before the item started, then two one-day spells with a free day between:
    the free days are expected, the held-back ones not."""
    program = program_of(INWARD)
    program.start_date = DAY
    program.save(update_fields=["start_date"])
    posterior(program.patient, ends_on=DAY - timedelta(days=1))
    posterior(program.patient, starts_on=DAY + timedelta(days=1), ends_on=DAY + timedelta(days=2))
    posterior(program.patient, starts_on=DAY + timedelta(days=3), ends_on=DAY + timedelta(days=4))

    assert expected_days(program, DAY - timedelta(days=3), WEEK_END) == _days(0, 2, 4, 5, 6)


def test_any_precaution_in_force_that_rules_the_exercise_out_holds_it_back():
    """Two sets of precautions in force at once, one allowing the exercise and one ruling it
    out: it is held back, whichever was set first."""
    allowed_first = program_of(INWARD)
    ruled_out_first = program_of(INWARD)
    for program, allows_from, rules_out_from in (
        (allowed_first, date(2025, 1, 10), date(2025, 1, 1)),
        (ruled_out_first, date(2025, 1, 1), date(2025, 1, 10)),
    ):
        precaution_set(
            actor=program.patient.therapist, patient=program.patient, kind="custom",
            movements=OUTWARD, starts_on=allows_from, ends_on=date(2025, 2, 12),
        )  # fmt: skip
        posterior(program.patient, starts_on=rules_out_from)

    assert held(allowed_first)
    assert held(ruled_out_first)
    assert expected_days(allowed_first, DAY, WEEK_END) == []


def test_precautions_following_on_from_one_another_hold_it_back_throughout():
    """One set lifting after the next has started, and one lifting the day the next starts:
    no day between is expected."""
    overlapping = program_of(INWARD)
    posterior(overlapping.patient, ends_on=DAY + timedelta(days=3))
    posterior(overlapping.patient, starts_on=DAY + timedelta(days=1), ends_on=WEEK_END)
    back_to_back = program_of(INWARD)
    posterior(back_to_back.patient, ends_on=DAY + timedelta(days=2))
    posterior(back_to_back.patient, starts_on=DAY + timedelta(days=2), ends_on=WEEK_END)

    assert expected_days(overlapping, DAY - timedelta(days=2), WEEK_END) == _days(6)
    assert expected_days(back_to_back, DAY - timedelta(days=2), WEEK_END) == _days(6)


def test_a_ladder_item_is_expected_once_a_day_when_precautions_start_after_its_level_changed():
    """Level 2 from Saturday, both levels ruled out by precautions starting on Sunday: every
    day up to Saturday is expected once (the earlier level's days hold nothing back)."""
    program = program_of()
    ladder_moving_on(program, since=DAY + timedelta(days=3), before=INWARD, after=INWARD)
    posterior(program.patient, starts_on=DAY + timedelta(days=4))

    assert expected_days(program, DAY, WEEK_END) == _days(0, 1, 2, 3)


# The day arithmetic adherence and the reminders count with (Monday = bit 0).
EVERY_DAY, MONDAYS, THURSDAYS, MON_WED = 0b1111111, 0b0000001, 0b0001000, 0b0000101


def _on_weekdays(lo, hi, mask):
    """The reference: every day of ``lo..hi`` looked at one by one."""
    days = (lo + timedelta(days=k) for k in range((hi - lo).days + 1))
    return [d for d in days if mask & (1 << d.weekday())]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lo=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    length=st.integers(-3, 40),
    mask=st.integers(0, 127),
)
@example(lo=DAY, length=0, mask=EVERY_DAY)  # one day: it counts, and it is the first
@example(lo=DAY, length=-3, mask=EVERY_DAY)  # a period ending before it starts: no day
@example(lo=DAY, length=15, mask=MON_WED)  # over two weeks, on some weekdays
@example(lo=DAY - timedelta(days=3), length=1, mask=MONDAYS)  # Sunday to Monday
@example(lo=DAY, length=1, mask=THURSDAYS)  # the day after the first
def test_the_days_on_a_programs_weekdays_are_counted_and_found_as_day_by_day(lo, length, mask):
    hi = lo + timedelta(days=length)
    expected = _on_weekdays(lo, hi, mask)

    assert weekdays_in(lo, hi, mask) == len(expected)
    assert first_weekday_in(lo, hi, mask) == (expected[0] if expected else None)


def _row(**fields):
    """An item row as ``item_span`` reads it (``ROW_FIELDS``): a program from January 1st."""
    return {
        "program__start_date": date(2025, 1, 1), "program__end_date": None,
        "active_from": None, "active_until": None,
        "program__weekdays": MON_WED, "sets": 3, "per_side": False,
        **fields,
    }  # fmt: skip


def test_an_item_row_prescribes_its_sets_from_the_later_start_to_the_earlier_end():
    """Sets on each side count twice; without an end date the row prescribes for good."""
    later = date(2025, 1, 10)

    assert item_span(_row()) == ItemSpan(date(2025, 1, 1), None, MON_WED, 3)
    assert item_span(_row(active_from=later, per_side=True)) == ItemSpan(later, None, MON_WED, 6)
    assert item_span(_row(program__start_date=later, active_from=DAY)).lo == DAY
    assert item_span(_row(program__start_date=DAY, active_from=later)).lo == DAY
    assert item_span(_row(program__end_date=WEEK_END, active_until=DAY)).hi == DAY
    assert item_span(_row(program__end_date=DAY, active_until=WEEK_END)).hi == DAY
    assert item_span(_row(active_until=DAY)).hi == DAY
    assert item_span(_row(program__end_date=DAY)).hi == DAY


def test_an_item_span_counts_and_finds_only_its_own_days_of_a_period():
    """Mondays and Wednesdays from Wednesday to the next Wednesday: asked about a wider
    period, the span's own ends bound it."""
    span = ItemSpan(DAY, DAY + timedelta(days=7), MON_WED, 4)
    endless = ItemSpan(DAY, None, MON_WED, 4)

    assert span.count_in(DAY - timedelta(days=10), DAY + timedelta(days=30)) == 3
    assert endless.count_in(DAY - timedelta(days=10), DAY + timedelta(days=13)) == 4
    assert span.first_in(DAY + timedelta(days=1), DAY + timedelta(days=30)) == date(2025, 1, 20)
    assert span.first_in(DAY + timedelta(days=8), DAY + timedelta(days=30)) is None
    assert endless.first_in(DAY + timedelta(days=8), DAY + timedelta(days=30)) == date(2025, 1, 27)
