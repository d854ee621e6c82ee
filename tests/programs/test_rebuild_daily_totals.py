"""``manage.py rebuild_daily_totals`` recomputes the rows of the patients and days it is given."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.programs.models import DailyTotal
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.adherence_factories import log_sets


def _patient_with_logs(**kwargs):
    patient = PatientFactory(**kwargs)
    today = patient.local_today()
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient), per_side=False, sets=2)
    for days_ago in (1, 2, 3):
        log_sets(item, today - timedelta(days=days_ago), count=days_ago)
    return patient, today


def _rows(patient):
    return sorted(
        DailyTotal.objects.filter(patient=patient).values_list("day", "completed", "logs")
    )


def test_it_restores_the_rows_of_one_patient(db):
    patient, _ = _patient_with_logs()
    other, _ = _patient_with_logs(therapist=patient.therapist)
    expected, others = _rows(patient), _rows(other)
    DailyTotal.objects.all().delete()

    call_command("rebuild_daily_totals", "--patient", str(patient.pk), stdout=StringIO())

    assert _rows(patient) == expected
    assert len(expected) == 3
    assert _rows(other) == []  # not asked for
    assert others


def test_it_restores_a_clinic_between_two_days_only(db):
    patient, today = _patient_with_logs()
    expected = _rows(patient)
    DailyTotal.objects.all().delete()
    day = (today - timedelta(days=2)).isoformat()

    call_command(
        "rebuild_daily_totals", "--clinic", str(patient.clinic_id), "--from", day, "--to", day,
        stdout=StringIO(),
    )  # fmt: skip

    assert _rows(patient) == [row for row in expected if row[0].isoformat() == day]


def test_it_corrects_a_wrong_row_and_removes_a_row_without_logs(db):
    patient, today = _patient_with_logs()
    expected = _rows(patient)
    DailyTotal.objects.filter(patient=patient).update(completed=0)
    DailyTotal.objects.create(
        patient=patient, day=today - timedelta(days=9), prescribed=2, completed=2, logs=2,
        pain_sum=4, pain_max=2,
    )  # fmt: skip

    call_command("rebuild_daily_totals", stdout=StringIO())

    assert _rows(patient) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patient", "999999"], "No patient with id 999999"),
        (["--from", "2026-02-03", "--to", "2026-02-01"], "--to is before --from"),
        (["--from", "yesterday"], "Dates look like"),
    ],
)
def test_it_refuses_what_it_cannot_do(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_daily_totals", *args, stdout=StringIO())
