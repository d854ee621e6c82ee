"""The precautions' end date is the day they lift: the first day without them. Every place
that shows or asks for it says so (never "until", which reads as the last day with them),
and the code agrees: in force on the day before, not on the day itself."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine

from apps.exercises.models import Exercise
from apps.patients.precautions import precaution_set
from apps.programs.precautions import conflicts
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ProgramFactory

pytestmark = pytest.mark.django_db

START, LIFT = date(2026, 3, 2), date(2026, 4, 13)
LAST = LIFT - timedelta(days=1)
NOW = "2026-03-10 09:00Z"


def _posterior(patient, therapist):
    return precaution_set(
        actor=therapist, patient=patient, kind="posterior", starts_on=START, ends_on=LIFT
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_day_shown_as_the_last_is_in_force_and_the_lift_day_is_not(patient_a, therapist_a):
    precaution = _posterior(patient_a, therapist_a)

    assert precaution.last_day == LAST
    assert precaution.is_in_force(LAST)
    assert not precaution.is_in_force(LIFT)


@time_machine.travel(NOW, tick=False)
def test_the_form_asks_for_the_day_they_lift_not_until(patient_a, therapist_a):
    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").text

    label = re.search(r'<label for="id_precaution-ends_on">([^<]*)</label>', page)
    assert label
    assert label.group(1) == "Precautions lift on"
    assert "The first day without them" in page
    assert ">Until<" not in page


@time_machine.travel(NOW, tick=False)
def test_the_patient_page_names_the_lift_day_and_the_last_day(patient_a, therapist_a):
    _posterior(patient_a, therapist_a)

    page = _text(signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").text)

    # The sentence goes on right after the dates, with no space before its full stop.
    assert "From 2 Mar 2026; they lift on 13 Apr 2026 (last day with them: 12 Apr 2026)." in page
    assert " until 13 Apr 2026" not in page
    assert "end by themselves on 13 Apr" not in page


@time_machine.travel(NOW, tick=False)
def test_the_builder_banner_and_conflict_name_the_lift_day(patient_a, therapist_a):
    precaution = _posterior(patient_a, therapist_a)
    program = ProgramFactory(patient=patient_a)

    page = _text(signed_in(therapist_a).get(f"/programs/{program.public_id}/").text)
    turning_in = ExerciseFactory(hip_movements=["internal_rotation"])
    found = conflicts(Exercise.objects.get(pk=turning_in.pk), [precaution])

    assert "(last day with them: 12 Apr 2026); they lift by themselves." in page
    assert found[0].text == (
        "internal rotation (posterior (posterolateral) approach precautions, "
        "which lift on 13 Apr 2026)"
    )


def test_the_api_schema_describes_ends_on_as_the_day_they_lift(therapist_a):
    schema = signed_in(therapist_a).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    described = [
        properties["ends_on"]["description"]
        for component in schema["components"]["schemas"].values()
        if "ends_on" in (properties := component.get("properties", {}))
    ]
    assert described
    assert all(text.startswith("The day the precautions lift") for text in described)


@time_machine.travel(NOW, tick=False)
def test_a_missing_or_early_lift_day_is_refused_in_the_same_words(patient_a, therapist_a):
    url = f"/patients/{patient_a.public_id}/"
    client = signed_in(therapist_a)
    base = {"change": "set-precautions", "precaution-kind": "posterior",
            "precaution-starts_on": "2026-03-02"}  # fmt: skip

    missing = client.post(url, base).text
    early = client.post(url, base | {"precaution-ends_on": "2026-03-02"}).text

    assert "Give the day the precautions lift" in missing
    assert "The day they lift must be after the day they start." in early
