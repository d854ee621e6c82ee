"""The next-morning check (CLINICAL.md: pain provoked by exercise should have settled by the
next morning; if the hip is worse, reduce the load)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.programs.models import MorningCheck
from apps.programs.morning import morning_check_due, morning_check_record
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return LadderItemFactory(per_side=False)


def test_it_is_asked_on_the_day_after_an_exercise_day_until_answered(item):
    patient = item.program.patient
    today = patient.local_today()
    assert morning_check_due(patient=patient, today=today) is None  # nothing logged yesterday

    SetLogFactory(item=item, performed_on=today - timedelta(days=1))
    assert morning_check_due(patient=patient, today=today) == today - timedelta(days=1)

    morning_check_record(patient=patient, hip="same", stiffness="same")
    assert morning_check_due(patient=patient, today=today) is None


def test_a_second_answer_the_same_morning_keeps_the_first(item):
    patient = item.program.patient
    SetLogFactory(item=item, performed_on=patient.local_today() - timedelta(days=1))
    first, _ = morning_check_record(patient=patient, hip="worse", stiffness="same")

    again, created = morning_check_record(patient=patient, hip="better", stiffness="better")

    assert (again, created) == (first, False)
    assert MorningCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("hip", "stiffness", "field"),
    [("awful", "same", "hip"), ("same", None, "stiffness"), ("", "", "hip")],
)
def test_an_answer_outside_the_choices_is_refused_and_nothing_saved(item, hip, stiffness, field):
    patient = item.program.patient
    SetLogFactory(item=item, performed_on=patient.local_today() - timedelta(days=1))

    with pytest.raises(ValidationError) as error:
        morning_check_record(patient=patient, hip=hip, stiffness=stiffness)

    assert "better, about the same, or worse" in error.value.message_dict[field][0]
    assert not MorningCheck.objects.exists()


def test_without_an_exercise_day_yesterday_there_is_nothing_to_answer(item):
    with pytest.raises(ValidationError):
        morning_check_record(patient=item.program.patient, hip="same", stiffness="same")
