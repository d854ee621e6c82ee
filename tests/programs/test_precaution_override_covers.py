"""A therapist's override reason covers the hip-precaution conflicts it was given for, no more.

The safety rule: a reason written for one set of precautions (say, internal rotation after a
posterior approach) must not quietly let the same exercise through precautions set later
(another operation, another approach, a changed kind). The new conflict holds the exercise
back, everywhere Today's rule applies, until the therapist gives a reason for it too; an end
date moved by the surgeon changes nothing.
"""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from apps.patients.precautions import precaution_set, precaution_update
from apps.programs.item_services import program_item_update
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))


@pytest.fixture
def turn_and_bend():
    """Takes the hip into internal rotation and flexion beyond 90°."""
    return ExerciseFactory(
        name="Deep turn", hip_movements=["internal_rotation", "flexion_beyond_90"]
    )


def _custom(therapist, patient, movements, ends_on=date(2026, 4, 12)):
    return precaution_set(
        actor=therapist, patient=patient, kind="custom", movements=movements,
        starts_on=date(2026, 3, 1), ends_on=ends_on,
    )  # fmt: skip


def _patient_sees(patient) -> list[str]:
    client = signed_in(patient.user)
    api = client.get("/api/v1/me/today/").json()
    return [entry["exercise"]["name"] for entry in api["items"]]


@pytest.fixture
def cleared_for_rotation(patient_a, therapist_a, program, turn_and_bend):
    """An item cleared (with a reason) for internal rotation only."""
    _custom(therapist_a, patient_a, ["internal_rotation"])
    item = ExerciseItemFactory(program=program, exercise=turn_and_bend, per_side=False)
    return overridden(item, actor=therapist_a, reason="Surgeon allows turning in")


def test_the_reason_lets_the_exercise_through_the_precautions_it_was_given_for(
    patient_a, cleared_for_rotation
):
    assert _patient_sees(patient_a) == ["Deep turn"]


def test_precautions_set_later_hold_the_exercise_back_despite_the_earlier_reason(
    patient_a, therapist_a, cleared_for_rotation
):
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])

    assert _patient_sees(patient_a) == []
    response = signed_in(patient_a.user).post(
        "/api/v1/me/logs/",
        {"client_id": "6f0c1b9e-0d7e-4a57-9a55-1f1d3c0e6a10", "side": "both", "reps": 10,
         "item": str(cleared_for_rotation.public_id), "pain": 0},
        **JSON,
    )  # fmt: skip
    assert response.status_code == 400
    assert "on hold" in str(response.json())


def test_another_approach_set_later_is_not_covered_either(
    patient_a, therapist_a, cleared_for_rotation
):
    # A second operation: posterior precautions rule out internal rotation afresh (and
    # flexion beyond 90°); the reason was written for the first precautions, not these.
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 9), ends_on=date(2026, 5, 1),
    )  # fmt: skip

    assert _patient_sees(patient_a) == []


def test_the_builder_says_what_the_earlier_reason_does_not_cover_and_asks_again(
    patient_a, therapist_a, program, cleared_for_rotation
):
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])
    client = signed_in(therapist_a)

    page = client.get(f"/programs/{program.public_id}/").text
    assert "not covered by your earlier reason" in page
    assert "flexion beyond 90°" in page
    api = client.get(f"/api/v1/programs/{program.public_id}/").json()
    (item,) = api["items"]
    assert "flexion beyond 90°" in item["precaution_not_covered"]
    assert "internal rotation" not in item["precaution_not_covered"]


def test_the_dose_form_asks_for_the_reason_again_rather_than_resubmitting_it(
    patient_a, therapist_a, program, cleared_for_rotation
):
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])
    page = signed_in(therapist_a).get(f"/programs/{program.public_id}/").text

    # The field is there and empty: saving the dose does not re-give the old reason unseen.
    assert 'name="precaution_override"' in page
    assert "Surgeon allows turning in</textarea>" not in page
    assert 'value="Surgeon allows turning in"' not in page


def test_changing_the_dose_without_a_new_reason_is_refused_naming_the_new_conflict(
    patient_a, therapist_a, cleared_for_rotation
):
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])
    item = cleared_for_rotation

    with pytest.raises(ValidationError) as refused:
        program_item_update(
            actor=therapist_a, item=item, sets=item.sets + 1, reps=item.reps,
            hold_seconds=item.hold_seconds, per_side=item.per_side,
            rest_seconds=item.rest_seconds,
        )  # fmt: skip
    message = str(refused.value.message_dict["precaution_override"])
    assert "flexion beyond 90°" in message
    assert "internal rotation" not in message
    item.refresh_from_db()
    assert item.sets == cleared_for_rotation.sets


def test_an_unchanged_reason_still_lets_the_dose_change(
    patient_a, therapist_a, cleared_for_rotation
):
    item = cleared_for_rotation
    changed = program_item_update(
        actor=therapist_a, item=item, sets=item.sets + 1, reps=item.reps,
        hold_seconds=item.hold_seconds, per_side=item.per_side, rest_seconds=item.rest_seconds,
    )  # fmt: skip

    assert changed.sets == item.sets + 1
    assert changed.precaution_override == "Surgeon allows turning in"
    assert _patient_sees(patient_a) == ["Deep turn"]


def test_a_new_reason_covers_the_new_precautions_and_the_exercise_is_back(
    patient_a, therapist_a, cleared_for_rotation
):
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])

    overridden(cleared_for_rotation, actor=therapist_a, reason="Surgeon cleared both")

    assert _patient_sees(patient_a) == ["Deep turn"]


def test_a_new_end_date_from_the_surgeon_keeps_the_reason(
    patient_a, therapist_a, program, turn_and_bend
):
    precaution = _custom(therapist_a, patient_a, ["internal_rotation"])
    item = ExerciseItemFactory(program=program, exercise=turn_and_bend, per_side=False)
    overridden(item, actor=therapist_a)

    precaution_update(
        actor=therapist_a, precaution=precaution, kind="custom",
        movements=["internal_rotation"], starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 1),
    )  # fmt: skip

    assert _patient_sees(patient_a) == ["Deep turn"]


def test_precautions_changed_to_more_movements_hold_it_back_until_a_new_reason(
    patient_a, therapist_a, program, turn_and_bend
):
    precaution = _custom(therapist_a, patient_a, ["internal_rotation"])
    item = overridden(
        ExerciseItemFactory(program=program, exercise=turn_and_bend, per_side=False),
        actor=therapist_a,
    )

    precaution_update(
        actor=therapist_a, precaution=precaution, kind="custom",
        movements=["internal_rotation", "flexion_beyond_90"],
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip

    assert _patient_sees(patient_a) == []
    overridden(item, actor=therapist_a, reason="Both cleared")
    assert _patient_sees(patient_a) == ["Deep turn"]


def test_adherence_does_not_expect_it_on_the_days_the_new_precautions_hold_it_back(
    patient_a, therapist_a, cleared_for_rotation
):
    from apps.programs.adherence import daily_adherence
    from apps.programs.adherence_summaries import adherence_summaries

    start, end = date(2026, 3, 1), date(2026, 3, 10)
    before = daily_adherence(patient=patient_a, start=start, end=end)
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="custom", movements=["flexion_beyond_90"],
        starts_on=date(2026, 3, 6), ends_on=date(2026, 4, 12),
    )  # fmt: skip

    after = daily_adherence(patient=patient_a, start=start, end=end)
    sets = cleared_for_rotation.sets
    assert [d.prescribed for d in before] == [sets] * 10
    assert [d.prescribed for d in after] == [sets] * 5 + [0] * 5
    # The stored totals and the set-based summary (dashboard, reports) agree with it.
    summary = adherence_summaries(patient_ids=[patient_a.pk], start=start, end=end)
    assert summary[patient_a.pk].prescribed == sets * 5


def test_the_upgrade_keeps_what_patients_saw_for_reasons_given_before_it(
    patient_a, therapist_a, program, turn_and_bend
):
    _custom(therapist_a, patient_a, ["internal_rotation", "flexion_beyond_90"])
    # A reason stored before reasons recorded what they cover.
    item = ExerciseItemFactory(
        program=program, exercise=turn_and_bend, per_side=False,
        precaution_override="Given last year", precaution_override_covers=[],
    )  # fmt: skip
    assert _patient_sees(patient_a) == []

    migration = importlib.import_module("apps.programs.migrations.0012_precaution_override_covers")
    migration.backfill(django_apps, None)

    item.refresh_from_db()
    assert len(item.precaution_override_covers) == 2
    # A deploy changes the code fingerprint in the Today cache's key; here the code is the
    # same, so the patient's version stands in for it.
    patient_a.__class__.objects.filter(pk=patient_a.pk).update(today_version=99)
    assert _patient_sees(patient_a) == ["Deep turn"]


def test_starting_a_draft_asks_for_a_reason_for_the_newer_precautions_only(
    patient_a, therapist_a, turn_and_bend
):
    from apps.programs.assign_services import program_assign

    draft = ProgramFactory(patient=patient_a, is_active=False, start_date=date(2026, 3, 10))
    _custom(therapist_a, patient_a, ["internal_rotation"])
    item = overridden(
        ExerciseItemFactory(program=draft, exercise=turn_and_bend, per_side=False),
        actor=therapist_a,
    )
    _custom(therapist_a, patient_a, ["flexion_beyond_90"])

    with pytest.raises(ValidationError) as refused:
        program_assign(actor=therapist_a, program=draft, patient=patient_a)
    message = str(refused.value.message_dict["precaution_override"])
    assert "flexion beyond 90°" in message
    assert "internal rotation" not in message
    draft.refresh_from_db()
    assert not draft.is_active

    program_assign(
        actor=therapist_a, program=draft, patient=patient_a, precaution_override="Both cleared"
    )
    item.refresh_from_db()
    assert item.precaution_override == "Both cleared"
    assert len(item.precaution_override_covers) == 2
    assert _patient_sees(patient_a) == ["Deep turn"]
