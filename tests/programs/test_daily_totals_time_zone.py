"""A time-zone change needs no daily-total write: logs keep their local day, and readers cut
each window at the patient's (new) local today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from apps.patients.reminder_choice import patient_reminders_choose
from apps.patients.services import patient_update
from apps.programs.adherence import daily_adherence
from apps.programs.adherence_summaries import adherence_summaries
from apps.programs.models import DailyTotal
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.adherence_factories import log_sets

# 11:00 UTC: already the next day in Kiritimati (UTC+14), still today in London.
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def _rows(patient):
    return sorted(DailyTotal.objects.filter(patient=patient).values_list("day", "completed"))


def test_moving_a_patient_across_the_date_line_keeps_totals_equal_to_the_reference(db):
    with time_machine.travel(NOW, tick=False):
        patient = PatientFactory(time_zone="Europe/London")
        program = ProgramFactory(patient=patient, start_date=date(2026, 3, 1))
        item = ExerciseItemFactory(program=program, sets=2, per_side=False)
        for day in (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)):
            log_sets(item, day, count=2)
        before = _rows(patient)

        patient_update(
            patient=patient, therapist=patient.therapist, full_name=patient.full_name,
            year_of_birth=patient.year_of_birth, email=patient.email,
            time_zone="Pacific/Kiritimati",
        )  # fmt: skip

        patient.refresh_from_db()
        assert patient.local_today() == date(2026, 3, 11)
        assert _rows(patient) == before
        reference = daily_adherence(patient=patient, start=date(2026, 3, 1), end=date(2026, 3, 11))
        logged = {d.date: d.completed for d in reference if d.logs}
        assert dict(_rows(patient)) == logged
        summary = adherence_summaries(
            patient_ids=[patient.pk], start=date(2026, 3, 1), end=date(2026, 3, 31)
        )[patient.pk]
        assert summary.end == date(2026, 3, 11)  # the window follows the new local today
        assert summary.prescribed == 2 * 11
        assert summary.completed == sum(d.completed for d in reference)
        assert summary.last_activity == date(2026, 3, 10)


def test_moving_west_leaves_a_day_logged_ahead_out_until_it_comes(db):
    """Kiritimati to Los Angeles on the patient's own phone: the day they logged there (the
    11th) is still to come in Los Angeles (the 10th). Its row stays as it is, every reader
    leaves it out today and counts it once the 11th comes."""
    with time_machine.travel(NOW, tick=False):
        patient = PatientFactory(time_zone="Pacific/Kiritimati")
        program = ProgramFactory(patient=patient, start_date=date(2026, 3, 1))
        item = ExerciseItemFactory(program=program, sets=2, per_side=False)
        log_sets(item, date(2026, 3, 11), count=2)
        before = _rows(patient)

        patient_reminders_choose(
            patient=patient, reminders_enabled=True, reminder_time=None,
            time_zone="America/Los_Angeles",
        )  # fmt: skip

        assert patient.local_today() == date(2026, 3, 10)
        assert _rows(patient) == before == [(date(2026, 3, 11), 2)]
        window = {"patient_ids": [patient.pk], "start": date(2026, 3, 1), "end": date(2026, 3, 31)}
        today = adherence_summaries(**window)[patient.pk]
        assert (today.end, today.completed, today.last_activity) == (date(2026, 3, 10), 0, None)
    with time_machine.travel(datetime(2026, 3, 11, 20, 0, tzinfo=UTC), tick=False):
        patient.refresh_from_db()
        assert patient.local_today() == date(2026, 3, 11)
        later = adherence_summaries(**window)[patient.pk]
        assert (later.completed, later.last_activity) == (2, date(2026, 3, 11))
