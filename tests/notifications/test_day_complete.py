"""Whether a reminder's day is already complete is read from the day's stored totals in one
query, and answers what the adherence summaries answer (their complete days)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.notifications.selectors import patients_complete_on
from apps.patients.models import Side
from apps.programs.adherence_summaries import summaries_for_patients
from tests.notifications.factories import SetLogFactory
from tests.notifications.test_reminders import patient_in

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
TODAY = date(2025, 1, 15)


def log(patient, sets, on=TODAY):
    item = patient.programs.get().items.get()
    sides = (Side.LEFT, Side.RIGHT) if item.per_side else (Side.BOTH,)
    with time_machine.travel(NOW, tick=False):
        for n in range(sets):
            SetLogFactory(item=item, side=sides[n % len(sides)], performed_on=on)
    return item


def reference(patients):
    """The rule as the adherence summaries apply it, a day at a time."""
    complete = set()
    for patient, day in patients.values():
        summary = summaries_for_patients(patients=[patient], start=day, end=day)[patient.pk]
        if summary.complete_days:
            complete.add(patient.pk)
    return complete


def test_it_answers_what_the_adherence_summaries_answer(django_assert_num_queries):
    done = patient_in("Europe/London")
    log(done, 2 * done.programs.get().items.get().sets)
    extra = patient_in("Europe/London")
    log(extra, 2 * extra.programs.get().items.get().sets + 3)
    half = patient_in("Europe/London")
    log(half, 1)
    yesterday = patient_in("Europe/London")
    log(yesterday, 2 * yesterday.programs.get().items.get().sets, on=TODAY - timedelta(days=1))
    nothing = patient_in("Europe/London")
    # A day that has not begun where the patient lives (16 January, at 08:00 on the 15th in
    # Honolulu) is not complete, whatever was logged against it.
    ahead = patient_in("Pacific/Honolulu")
    log(ahead, 2 * ahead.programs.get().items.get().sets, on=TODAY + timedelta(days=1))
    asked = {p.pk: (p, TODAY) for p in (done, extra, half, yesterday, nothing)}
    asked[ahead.pk] = (ahead, TODAY + timedelta(days=1))

    with time_machine.travel(NOW, tick=False):
        expected = reference(asked)
        with django_assert_num_queries(1):
            complete = patients_complete_on(patients=asked)

    assert complete == expected == {done.pk, extra.pk}


def test_no_patients_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert patients_complete_on(patients={}) == set()
