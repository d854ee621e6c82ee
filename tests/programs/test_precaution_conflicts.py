"""Hip precautions meet the program: the library's movement tags, the builder and the API
refusing a conflicting exercise without an override reason, and Today leaving it out."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.core.hip import HipMovement
from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from apps.patients.precautions import precaution_set
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.models import ProgramItem
from apps.programs.services import program_create
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
    TemplateProgramFactory,
)
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))


@pytest.fixture
def inward(therapist_a):
    return ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])


@pytest.fixture
def posterior(patient_a, therapist_a):
    return precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip


# --- The library's tags --------------------------------------------------------------------


def test_every_library_exercise_carries_its_movement_tags_and_how_they_were_read(db):
    library_load()
    for exercise in Exercise.objects.filter(clinic=None):
        assert exercise.hip_movements_note, exercise.key
        assert set(exercise.hip_movements) <= set(HipMovement.values)


def test_the_tags_follow_the_steps_for_the_clinical_notes_examples(db):
    library_load()
    tags = dict(Exercise.objects.filter(clinic=None).values_list("key", "hip_movements"))
    assert tags["clam-1"] == ["external_rotation"]
    assert tags["clam-2"] == ["internal_rotation"]
    assert tags["reverse-clam-band"] == ["internal_rotation"]
    assert set(tags["windshield-wiper-stretch"]) == {"internal_rotation", "external_rotation"}
    # Clam 3 and 4 lift the foot by turning the hip inward (their steps), whatever the ladder.
    assert tags["clam-3"] == tags["clam-4"] == ["internal_rotation"]
    assert tags["gluteal-squeeze"] == []


def test_the_library_page_and_the_exercise_page_show_the_tags(therapist_a):
    library_load()
    client = signed_in(therapist_a)
    clam = Exercise.objects.get(clinic=None, key="clam-2")
    assert "Hip movements: Internal rotation" in client.get("/library/").text
    page = client.get(f"/library/exercises/{clam.public_id}/").text
    assert "Internal rotation" in page
    assert clam.hip_movements_note in page


def test_a_clinic_exercise_takes_its_tags_from_its_form(therapist_a):
    response = signed_in(therapist_a).post(
        "/library/exercises/new/",
        {"name": "Cross-over step", "position": "standing", "movement": "step across",
         "default_sets": 2, "default_reps": 10, "default_rest_seconds": 60,
         "per_side": "each_side",
         "hip_movements": ["adduction_past_midline", "single_leg_weight_bearing"],
         "hip_movements_note": "The leading leg crosses in front."},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    exercise = Exercise.objects.get(name="Cross-over step")
    assert exercise.hip_movements == ["adduction_past_midline", "single_leg_weight_bearing"]


# --- Conflicts -----------------------------------------------------------------------------


def test_the_anterior_approach_conflicts_only_with_extension_and_external_rotation_together(
    patient_a, therapist_a, program
):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="anterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    outward = ExerciseFactory(hip_movements=["external_rotation"])
    behind = ExerciseFactory(hip_movements=["extension"])
    frog = ExerciseFactory(name="Frog", hip_movements=["external_rotation", "extension"])
    for exercise in (outward, behind):
        program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=exercise))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="extension combined with external rotation"):
        program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=frog))


def test_the_builder_refuses_a_conflicting_exercise_without_a_reason(
    therapist_a, program, inward, posterior
):
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/add-exercise/"
    response = client.post(url, {"exercise": inward.public_id}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Inward turn takes the hip into internal rotation" in response.text
    assert not program.items.exists()


def test_the_builder_adds_it_with_a_reason_recorded_and_audited(
    therapist_a, program, inward, posterior
):
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/items/add-exercise/"
    reason = "Surgeon allows gentle inward rotation from week 4"
    response = client.post(url, {"exercise": inward.public_id, "precaution_override": reason})
    assert response.status_code == 302
    item = program.items.get()
    assert item.precaution_override == reason
    entry = AuditEntry.objects.get(target_type="programs.ProgramItem")
    # The append-only trail names the override; the clinician's words stay on the item.
    assert entry.detail == f"precaution override for {inward.name} (reason kept on the item)"


def test_an_override_reason_may_take_up_to_300_characters_and_no_more(
    therapist_a, program, inward, posterior
):
    # What the item stores (ProgramItem.precaution_override holds 300 characters).
    longest = "r" * 300
    item = program_item_add(
        actor=therapist_a, program=program,
        spec=ItemSpec(exercise=inward, precaution_override=longest),
    )  # fmt: skip
    assert item.precaution_override == longest

    with pytest.raises(ValidationError) as refused:
        program_item_add(
            actor=therapist_a, program=program,
            spec=ItemSpec(exercise=inward, precaution_override=longest + "r"),
        )  # fmt: skip
    assert refused.value.message_dict == {
        "precaution_override": ["Keep the reason to 300 characters or fewer."]
    }
    assert program.items.count() == 1


def test_the_builder_shows_the_precautions_and_marks_conflicting_results(
    therapist_a, program, inward, posterior
):
    page = signed_in(therapist_a).get(f"/programs/{program.public_id}/").text
    assert "Hip precautions in force" in page
    assert "Conflicts with the hip precautions:" in page


def test_a_template_has_no_patient_and_so_no_precautions_to_check(therapist_a, inward):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, created_by=therapist_a)
    program_item_add(actor=therapist_a, program=template, spec=ItemSpec(exercise=inward))
    assert template.items.get().precaution_override == ""


def test_the_api_refuses_a_conflicting_item_with_a_400_and_takes_it_with_a_reason(
    therapist_a, program, inward, posterior
):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/create/"
    refused = client.post(url, {"exercise": str(inward.public_id)}, **JSON)
    assert refused.status_code == 400
    assert "internal rotation" in str(refused.json())
    assert not program.items.exists()
    taken = client.post(
        url, {"exercise": str(inward.public_id), "precaution_override": "Cleared by surgeon"},
        **JSON,
    )  # fmt: skip
    assert taken.status_code == 201
    (item,) = taken.json()["items"]
    assert item["precaution_override"] == "Cleared by surgeon"
    assert item["precaution_conflict"].startswith("internal rotation")


def test_creating_a_patients_program_through_the_api_checks_every_item(
    therapist_a, patient_a, inward, posterior
):
    response = signed_in(therapist_a).post(
        "/api/v1/programs/create/",
        {"name": "Hip", "patient": str(patient_a.public_id),
         "items": [{"exercise": str(inward.public_id)}]},
        **JSON,
    )  # fmt: skip
    assert response.status_code == 400
    assert "items.0.precaution_override" in response.json()["errors"], response.json()
    assert not patient_a.programs.exists()


def test_editing_keeps_a_conflicting_item_only_with_a_reason(therapist_a, program, inward):
    item = ExerciseItemFactory(program=program, exercise=inward)
    precaution_set(
        actor=therapist_a, patient=program.patient, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/{item.public_id}/update/"
    assert client.patch(url, {"sets": 3}, **JSON).status_code == 400
    item.refresh_from_db()
    assert item.sets == 2
    kept = client.patch(url, {"sets": 3, "precaution_override": "Surgeon agreed"}, **JSON)
    assert kept.status_code == 200
    current = ProgramItem.objects.filter(track=item.track).order_by("-pk").first()
    assert (current.sets, current.precaution_override) == (3, "Surgeon agreed")
    # The reason stays with the item: a later edit needs no new one.
    assert client.patch(url.replace(str(item.public_id), str(current.public_id)),
                        {"sets": 2}, **JSON).status_code == 200  # fmt: skip


# --- Today ---------------------------------------------------------------------------------


def _today_names(client):
    html = client.get("/today/").text
    api = client.get("/api/v1/me/today/").json()
    assert "items" in api, api
    return html, [entry["exercise"]["name"] for entry in api["items"]]


def test_today_leaves_out_a_conflicting_exercise_without_an_override(
    patient_a, therapist_a, program, inward, posterior
):
    ExerciseItemFactory(program=program, exercise=inward)
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Safe squeeze"))
    html, names = _today_names(signed_in(patient_a.user))
    assert "Inward turn" not in html
    assert "Safe squeeze" in html
    assert names == ["Safe squeeze"]


def test_today_shows_it_with_the_therapists_override(
    patient_a, therapist_a, program, inward, posterior
):
    overridden(ExerciseItemFactory(program=program, exercise=inward), actor=therapist_a)
    html, names = _today_names(signed_in(patient_a.user))
    assert "Inward turn" in html
    assert names == ["Inward turn"]


def test_today_shows_it_again_once_the_precautions_end_by_themselves(
    patient_a, program, inward, posterior
):
    ExerciseItemFactory(program=program, exercise=inward)
    with time_machine.travel(datetime(2026, 4, 12, 9, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        html, names = _today_names(signed_in(patient_a.user))
    assert "Inward turn" in html
    assert names == ["Inward turn"]


def test_a_ladder_reaching_a_conflicting_level_is_left_out(patient_a, program, posterior):
    ladder = LadderFactory(levels=2)
    level_two = ladder.levels.get(level=2).exercise
    level_two.hip_movements = ["internal_rotation"]
    level_two.save(update_fields=["hip_movements"])
    LadderItemFactory(program=program, ladder=ladder, current_level=2)
    _, names = _today_names(signed_in(patient_a.user))
    assert names == []


def test_precautions_that_start_later_do_not_hide_anything_yet(
    patient_a, therapist_a, program, inward
):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=43),
    )  # fmt: skip
    ExerciseItemFactory(program=program, exercise=inward)
    _, names = _today_names(signed_in(patient_a.user))
    assert names == ["Inward turn"]


def test_program_create_reports_the_conflicting_item_by_position(
    therapist_a, patient_a, inward, posterior
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        program_create(
            actor=therapist_a, name="Hip", patient=patient_a,
            items=[ItemSpec(exercise=ExerciseFactory()), ItemSpec(exercise=inward)],
        )  # fmt: skip
    assert "items.1.precaution_override" in caught.value.message_dict
