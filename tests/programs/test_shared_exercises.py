"""Two different ladders that share exercises (in the library, the clamshell and the
reverse-clamshell ladders both have the reverse clamshell at level 2 and Clam 4 at level 4),
or a single exercise that is a level of a ladder, running for one patient would give the
patient the same exercise twice on the same day: now, or once a ladder reaches it (ladders
advance, some automatically, with no therapist asked again). So starting one is asked about
as starting a ladder already running is (``apps.programs.duplicates``): the builder, the
assign forms and the API name the shared exercise and both items, and nothing is saved until
the therapist confirms (``confirm_duplicate_ladder``), which the audit log records. The same
single exercise added twice stays a deliberate choice, asked nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.exercises.loading import library_load
from apps.exercises.models import Exercise, Ladder
from apps.programs.assign_services import program_assign
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    LadderItemFactory,
    ProgramFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
CONFIRM = "confirm_duplicate_ladder"


@pytest.fixture(autouse=True)
def _library():
    library_load()


def _ladder(key: str) -> Ladder:
    return Ladder.objects.get(clinic=None, key=key)


def _exercise(key: str) -> Exercise:
    return Exercise.objects.get(clinic=None, key=key)


@pytest.fixture
def clamshell():
    return _ladder("clamshell-boren-2011")


@pytest.fixture
def reverse():
    return _ladder("reverse-clamshell")


@pytest.fixture
def running(patient_a, clamshell):
    """Ann's program, assigned and running, with the clamshell ladder at level 1 (Clam)."""
    program = ProgramFactory(patient=patient_a, name="Hip program")
    LadderItemFactory(program=program, ladder=clamshell, current_level=1)
    return program


@pytest.fixture
def second(patient_a):
    return ProgramFactory(patient=patient_a, name="Home program")


def _refused(error: pytest.ExceptionInfo[ValidationError]) -> str:
    messages = error.value.message_dict[CONFIRM]
    assert len(messages) == 1
    return messages[0]


def test_the_library_ladders_share_exercises(clamshell, reverse):
    levels = {
        ladder.key: {level.exercise.key: level.level for level in ladder.levels.all()}
        for ladder in (clamshell, reverse)
    }
    shared = levels[clamshell.key].keys() & levels[reverse.key].keys()
    assert shared == {"clam-2", "clam-4"}


def test_a_ladder_sharing_exercises_with_a_running_one_needs_confirmation(
    therapist_a, reverse, running, second
):
    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=second, spec=ItemSpec(ladder=reverse, level=1))

    message = _refused(error)
    assert message.startswith(
        "The Reverse clamshell ladder (level 1 in “Home program”) and the Clamshell (Boren 2011) "
        "ladder (level 1 in “Hip program”) both include Reverse clamshell and Clam 4: once "
        "both are at one of them, the patient does that exercise twice on the same day."
    )
    assert "confirm that both should run" in message
    assert not second.items.exists()


def test_confirmed_it_is_added_and_the_confirmation_audited(therapist_a, reverse, running, second):
    spec = ItemSpec(ladder=reverse, level=1, confirm_duplicate_ladder=True)

    item = program_item_add(actor=therapist_a, program=second, spec=spec)

    assert item.ladder == reverse
    assert AuditEntry.objects.filter(
        detail="confirmed running Reverse clamshell and Clamshell (Boren 2011), which both "
        "include Reverse clamshell and Clam 4"
    ).exists()


def test_two_sharing_ladders_in_one_running_program_need_it_too(therapist_a, reverse, running):
    with pytest.raises(ValidationError, match="both include Reverse clamshell and Clam 4"):
        program_item_add(actor=therapist_a, program=running, spec=ItemSpec(ladder=reverse, level=1))


def test_both_at_the_shared_exercise_now_it_says_so(therapist_a, patient_a, reverse, running):
    running.items.update(current_level=2)

    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=running, spec=ItemSpec(ladder=reverse, level=2))

    assert (
        "both include Reverse clamshell and Clam 4: the patient would do Reverse clamshell "
        "twice on the same day." in _refused(error)
    )


def test_a_single_exercise_that_is_a_level_of_a_running_ladder_needs_confirmation(
    therapist_a, running, second
):
    clam_4 = _exercise("clam-4")

    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=second, spec=ItemSpec(exercise=clam_4))

    assert _refused(error).startswith(
        "Clam 4 on its own (in “Home program”) and the Clamshell (Boren 2011) ladder (level 1 in "
        "“Hip program”) both include Clam 4: once the ladder reaches it, the patient does it "
        "twice on the same day."
    )
    confirmed = ItemSpec(exercise=clam_4, confirm_duplicate_ladder=True)
    assert program_item_add(actor=therapist_a, program=second, spec=confirmed).pk


def test_a_ladder_with_a_level_already_running_on_its_own_needs_confirmation(
    therapist_a, patient_a, clamshell, second
):
    ExerciseItemFactory(program=second, exercise=_exercise("clam-2"))
    other = ProgramFactory(patient=patient_a, name="Hip program")

    with pytest.raises(ValidationError, match="Reverse clamshell on its own"):
        program_item_add(actor=therapist_a, program=other, spec=ItemSpec(ladder=clamshell, level=1))


@pytest.mark.parametrize("state", ["no_shared_exercise", "ended", "draft", "same_single"])
def test_nothing_is_asked_when_nothing_is_shared_with_what_runs(
    therapist_a, patient_a, running, second, state
):
    if state == "no_shared_exercise":
        spec = ItemSpec(exercise=_exercise("fire-hydrant"))
    elif state == "ended":
        running.end_date = patient_a.local_today() - timedelta(days=1)
        running.save()
        spec = ItemSpec(ladder=_ladder("reverse-clamshell"), level=1)
    elif state == "draft":
        running.is_active = False
        running.save()
        spec = ItemSpec(ladder=_ladder("reverse-clamshell"), level=1)
    else:  # the same single exercise twice: a deliberate choice, added again as asked
        ExerciseItemFactory(program=second, exercise=_exercise("fire-hydrant"))
        spec = ItemSpec(exercise=_exercise("fire-hydrant"))

    assert program_item_add(actor=therapist_a, program=second, spec=spec).pk


def test_the_glute_med_ladder_shares_clam_4_with_the_clamshell_ladder(therapist_a, running, second):
    with pytest.raises(ValidationError, match="both include Clam 4:"):
        program_item_add(
            actor=therapist_a, program=second,
            spec=ItemSpec(ladder=_ladder("gluteus-medius-by-evidence"), level=1),
        )  # fmt: skip


def test_assigning_a_draft_that_shares_needs_confirmation(therapist_a, patient_a, reverse, running):
    draft = ProgramFactory(patient=patient_a, name="Next program", is_active=False)
    program_item_add(actor=therapist_a, program=draft, spec=ItemSpec(ladder=reverse, level=1))

    with pytest.raises(ValidationError, match="both include Reverse clamshell and Clam 4"):
        program_assign(actor=therapist_a, program=draft, patient=patient_a)

    draft.refresh_from_db()
    assert not draft.is_active
    program_assign(
        actor=therapist_a, program=draft, patient=patient_a, confirm_duplicate_ladder=True
    )
    draft.refresh_from_db()
    assert draft.is_active


def test_a_template_with_both_ladders_is_asked_once_when_assigned(
    therapist_a, patient_a, clamshell, reverse
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderItemFactory(program=template, ladder=clamshell, current_level=1)
    LadderItemFactory(program=template, ladder=reverse, current_level=1)

    with pytest.raises(ValidationError) as error:
        program_assign(actor=therapist_a, program=template, patient=patient_a)

    assert "both include Reverse clamshell and Clam 4" in _refused(error)
    assert not Program.objects.filter(patient=patient_a).exists()


# --- The pages ---------------------------------------------------------------------------


def test_the_builder_flags_both_rows_and_asks_to_confirm_a_ladder(
    therapist_a, reverse, running, second
):
    client = signed_in(therapist_a)
    url = f"/programs/{second.public_id}/items/add-ladder/"
    body = {"ladder": str(reverse.public_id), "level": "1"}

    refused = client.post(url, body, HTTP_HX_REQUEST="true")
    confirmed = client.post(url, body | {CONFIRM: "on"}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 400
    assert "both include Reverse clamshell and Clam 4" in refused.text
    assert confirmed.status_code == 200
    assert (
        "Shares Reverse clamshell and Clam 4 with the Clamshell (Boren 2011) ladder (level 1 in "
        "“Hip program”)" in confirmed.text
    )
    page = client.get(f"/programs/{running.public_id}/").text
    assert "Shares Reverse clamshell and Clam 4 with the Reverse clamshell ladder" in page


def test_the_builder_search_marks_a_level_of_a_running_ladder_and_takes_the_confirmation(
    therapist_a, running, second
):
    clam_4 = _exercise("clam-4")
    client = signed_in(therapist_a)

    search = client.get(
        f"/programs/{second.public_id}/exercises/", {"q": "Clam 4"}, HTTP_HX_REQUEST="true"
    ).text
    url = f"/programs/{second.public_id}/items/add-exercise/"
    refused = client.post(url, {"exercise": str(clam_4.public_id)}, HTTP_HX_REQUEST="true")
    confirmed = client.post(
        url, {"exercise": str(clam_4.public_id), CONFIRM: "on"}, HTTP_HX_REQUEST="true"
    )

    assert "Also level 4 of the Clamshell (Boren 2011) ladder (level 1 in “Hip program”)" in search
    assert re.search(rf'<input type="checkbox" name="{CONFIRM}"[^>]*>', search)
    assert refused.status_code == 400
    assert "both include Clam 4" in refused.text
    assert confirmed.status_code == 200
    assert second.items.filter(exercise=clam_4).count() == 1


def test_the_builder_of_a_draft_flags_it_and_its_assign_form_asks(
    therapist_a, patient_a, reverse, running
):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    LadderItemFactory(program=draft, ladder=reverse, current_level=1)
    client = signed_in(therapist_a)

    page = client.get(f"/programs/{draft.public_id}/").text
    builder = f"/programs/{draft.public_id}/"  # the Assign form is posted to the builder
    refused = client.post(builder, {"save": "assign"})
    confirmed = client.post(builder, {"save": "assign", CONFIRM: "on"})

    assert "Shares Reverse clamshell and Clam 4 with the Clamshell (Boren 2011) ladder" in page
    boxes = re.findall(rf'<input type="checkbox" name="{CONFIRM}"[^>]*>', page)
    assert len(boxes) == 1  # on the Assign form, where starting it is decided
    assert refused.status_code == 400
    assert "both include Reverse clamshell and Clam 4" in refused.text
    assert confirmed.status_code == 302


# --- The API -----------------------------------------------------------------------------


def test_the_api_answers_the_warning_and_takes_the_confirmation(
    therapist_a, reverse, running, second
):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{second.public_id}/items/create/"
    body = {"ladder": str(reverse.public_id), "level": 1}

    refused = client.post(url, body, **JSON)
    confirmed = client.post(url, body | {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert "both include Reverse clamshell and Clam 4" in refused.json()["errors"][CONFIRM][0]
    assert confirmed.status_code == 201
    (item,) = confirmed.json()["items"]
    assert item["shares_exercises"] == (
        "Reverse clamshell and Clam 4 with the Clamshell (Boren 2011) ladder (level 1 in "
        "“Hip program”)"
    )


def test_the_api_flags_a_single_exercise_that_is_a_level_of_a_running_ladder(
    therapist_a, running, second
):
    ExerciseItemFactory(program=second, exercise=_exercise("clam-4"))

    detail = signed_in(therapist_a).get(f"/api/v1/programs/{second.public_id}/").json()

    (item,) = detail["items"]
    assert item["shares_exercises"] == (
        "Clam 4 with the Clamshell (Boren 2011) ladder (level 1 in “Hip program”)"
    )


def test_the_assign_and_create_apis_need_the_confirmation_too(
    therapist_a, patient_a, reverse, running
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderItemFactory(program=template, ladder=reverse, current_level=1)
    client = signed_in(therapist_a)
    assign = f"/api/v1/programs/{template.public_id}/assign/"
    create = {
        "name": "Second",
        "patient": str(patient_a.public_id),
        "items": [{"exercise": str(_exercise("clam-4").public_id)}],
    }

    refused = client.post(assign, {"patient": str(patient_a.public_id)}, **JSON)
    created_refused = client.post("/api/v1/programs/create/", create, **JSON)

    assert refused.status_code == created_refused.status_code == 400
    assert CONFIRM in refused.json()["errors"]
    assert "both include Clam 4" in created_refused.json()["errors"][CONFIRM][0]
    assert (
        client.post("/api/v1/programs/create/", create | {CONFIRM: True}, **JSON).status_code == 201
    )
