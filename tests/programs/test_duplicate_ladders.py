"""A ladder already running in one of the patient's assigned programs is not started again
in another (or twice in one) without the therapist's explicit confirmation: the builder,
the assign forms and the API name the program and level it runs at, and nothing is saved
until the therapist confirms. Once confirmed, each item keeps its own progression prompts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.programs.assign_services import program_assign
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.models import Program, ProgramItem
from apps.programs.progression import prompt_for_log
from apps.programs.prompt_decisions import prompt_approve
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    TemplateProgramFactory,
)
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
CONFIRM = "confirm_duplicate_ladder"


@pytest.fixture
def ladder():
    return LadderFactory(name="Clamshell (Boren 2011)")


@pytest.fixture
def running(patient_a, ladder):
    """Ann's first program, assigned and running, with the clamshell ladder at level 3."""
    program = ProgramFactory(patient=patient_a, name="Hip program")
    LadderItemFactory(program=program, ladder=ladder, current_level=3)
    return program


@pytest.fixture
def second(patient_a):
    """Another assigned program of Ann's, running alongside."""
    return ProgramFactory(patient=patient_a, name="Home program")


def _refused(error: pytest.ExceptionInfo[ValidationError]) -> str:
    messages = error.value.message_dict[CONFIRM]
    assert len(messages) == 1
    return messages[0]


def test_adding_the_ladder_to_another_running_program_needs_confirmation(
    therapist_a, ladder, running, second
):
    with pytest.raises(ValidationError) as error:
        program_item_add(actor=therapist_a, program=second, spec=ItemSpec(ladder=ladder, level=1))

    message = _refused(error)
    assert "Clamshell (Boren 2011) is already running" in message
    assert "“Hip program” at level 3" in message
    assert not second.items.exists()


def test_confirmed_it_is_added_and_the_confirmation_audited(therapist_a, ladder, running, second):
    spec = ItemSpec(ladder=ladder, level=1, confirm_duplicate_ladder=True)

    item = program_item_add(actor=therapist_a, program=second, spec=spec)

    assert item.ladder == ladder
    assert AuditEntry.objects.filter(
        detail="confirmed running Clamshell (Boren 2011) in two places at once"
    ).exists()


def test_the_same_ladder_twice_in_one_running_program_needs_confirmation(
    therapist_a, ladder, running
):
    with pytest.raises(ValidationError, match="already running"):
        program_item_add(actor=therapist_a, program=running, spec=ItemSpec(ladder=ladder, level=1))


@pytest.mark.parametrize("state", ["ended", "draft", "someone_else", "other_ladder", "template"])
def test_nothing_is_asked_when_the_ladder_is_not_running_for_the_patient(
    therapist_a, patient_a, ladder, second, state
):
    other = ProgramFactory(patient=patient_a, name="Old program")
    if state == "ended":
        other.end_date = patient_a.local_today() - timedelta(days=1)
        other.save()
    elif state == "draft":
        other.is_active = False
        other.save()
    elif state == "someone_else":
        other = ProgramFactory(patient=PatientFactory(therapist=therapist_a))
    LadderItemFactory(program=other, ladder=LadderFactory() if state == "other_ladder" else ladder)
    target = TemplateProgramFactory(clinic=therapist_a.clinic) if state == "template" else second

    item = program_item_add(
        actor=therapist_a, program=target, spec=ItemSpec(ladder=ladder, level=1)
    )

    assert item.pk


def test_adding_to_a_draft_is_not_asked_but_its_assignment_is(
    therapist_a, patient_a, ladder, running
):
    draft = ProgramFactory(patient=patient_a, name="Next program", is_active=False)
    program_item_add(actor=therapist_a, program=draft, spec=ItemSpec(ladder=ladder, level=1))

    with pytest.raises(ValidationError) as error:
        program_assign(actor=therapist_a, program=draft, patient=patient_a)

    assert "“Hip program” at level 3" in _refused(error)
    draft.refresh_from_db()
    assert not draft.is_active
    program_assign(
        actor=therapist_a, program=draft, patient=patient_a, confirm_duplicate_ladder=True
    )
    draft.refresh_from_db()
    assert draft.is_active


def test_assigning_a_template_with_the_ladder_needs_confirmation(
    therapist_a, patient_a, ladder, running
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderItemFactory(program=template, ladder=ladder, current_level=1)
    ExerciseItemFactory(program=template)

    with pytest.raises(ValidationError, match="already running"):
        program_assign(actor=therapist_a, program=template, patient=patient_a)

    assert Program.objects.filter(patient=patient_a).count() == 1
    copy = program_assign(
        actor=therapist_a, program=template, patient=patient_a, confirm_duplicate_ladder=True
    )
    assert copy.items.count() == 2


# --- The pages ---------------------------------------------------------------------------


def test_the_builder_names_running_ladders_before_adding_and_asks_to_confirm(
    therapist_a, ladder, running, second
):
    client = signed_in(therapist_a)
    page = client.get(f"/programs/{second.public_id}/").text
    assert "Clamshell (Boren 2011) at level 3 in “Hip program”" in page
    url = f"/programs/{second.public_id}/items/add-ladder/"
    body = {"ladder": str(ladder.public_id), "level": "1"}

    refused = client.post(url, body, HTTP_HX_REQUEST="true")
    confirmed = client.post(url, body | {CONFIRM: "on"}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 400
    assert "already running" in refused.text
    assert confirmed.status_code == 200
    assert second.items.filter(ladder=ladder).count() == 1
    assert "Also running in “Hip program” at level 3" in confirmed.text


def test_the_builder_of_a_draft_flags_the_ladder_already_running(
    therapist_a, patient_a, ladder, running
):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    LadderItemFactory(program=draft, ladder=ladder, current_level=1)

    page = signed_in(therapist_a).get(f"/programs/{draft.public_id}/").text

    assert "Also running in “Hip program” at level 3" in page
    boxes = re.findall(rf'<input type="checkbox" name="{CONFIRM}"[^>]*>', page)
    assert len(boxes) == 1  # on the Assign form, where starting it is decided


def test_the_assign_form_asks_and_takes_the_confirmation(therapist_a, patient_a, ladder, running):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    LadderItemFactory(program=draft, ladder=ladder, current_level=1)
    client = signed_in(therapist_a)
    url = f"/programs/{draft.public_id}/"

    refused = client.post(url, {"save": "assign"})
    confirmed = client.post(url, {"save": "assign", CONFIRM: "on"})

    assert refused.status_code == 400
    assert "already running" in refused.text
    assert confirmed.status_code == 302


# --- The API -----------------------------------------------------------------------------


def test_the_api_answers_the_warning_and_takes_the_confirmation(
    therapist_a, ladder, running, second
):
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{second.public_id}/items/create/"
    body = {"ladder": str(ladder.public_id), "level": 1}

    refused = client.post(url, body, **JSON)
    confirmed = client.post(url, body | {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert "“Hip program” at level 3" in refused.json()["errors"][CONFIRM][0]
    assert confirmed.status_code == 201
    (item,) = [i for i in confirmed.json()["items"] if i["ladder"]]
    assert item["also_running"] == "“Hip program” at level 3"


def test_the_assign_api_needs_the_confirmation_too(therapist_a, patient_a, ladder, running):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderItemFactory(program=template, ladder=ladder, current_level=1)
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{template.public_id}/assign/"
    body = {"patient": str(patient_a.public_id)}

    refused = client.post(url, body, **JSON)
    confirmed = client.post(url, body | {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert CONFIRM in refused.json()["errors"]
    assert confirmed.status_code == 201


# --- Prompts once both run ----------------------------------------------------------------


def test_each_running_item_keeps_its_own_prompts_and_levels(therapist_a, ladder, running, second):
    first = running.items.get()
    other = program_item_add(
        actor=therapist_a, program=second,
        spec=ItemSpec(ladder=ladder, level=1, per_side=False, confirm_duplicate_ladder=True),
    )  # fmt: skip
    ProgramItem.objects.filter(pk=first.pk).update(per_side=False)
    first.refresh_from_db()

    prompt, created = prompt_for_log(log=SetLogFactory(item=other, reps=20))
    assert created
    assert (prompt.track, prompt.level) == (other.track, 1)
    second_prompt, _ = prompt_for_log(log=SetLogFactory(item=first, reps=20))
    assert (second_prompt.track, second_prompt.level) == (first.track, 3)

    prompt_approve(prompt=prompt, user=therapist_a)

    assert ProgramItem.objects.get(track=other.track, active_until=None).current_level == 2
    assert ProgramItem.objects.get(track=first.track, active_until=None).current_level == 3
    inbox = signed_in(therapist_a).get("/inbox/").text
    assert "In “Home program”" in inbox
    assert "In “Hip program”" in inbox


def test_creating_an_assigned_program_through_the_api_needs_it_too(
    therapist_a, patient_a, ladder, running
):
    client = signed_in(therapist_a)
    body = {
        "name": "Second",
        "patient": str(patient_a.public_id),
        "items": [{"ladder": str(ladder.public_id), "level": 2}],
    }

    refused = client.post("/api/v1/programs/create/", body, **JSON)
    confirmed = client.post("/api/v1/programs/create/", body | {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert "“Hip program” at level 3" in refused.json()["errors"][CONFIRM][0]
    assert confirmed.status_code == 201
    assert Program.objects.filter(patient=patient_a).count() == 2
