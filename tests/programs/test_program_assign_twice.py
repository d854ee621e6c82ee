"""Assigning a template twice with the same one-time key (a double click on Assign, a retry
after a slow answer) makes one program: the second request answers with the first's."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import pytest

from apps.audit.models import AuditEntry
from apps.programs.assign_services import program_assign
from apps.programs.models import Program
from apps.programs.services import program_create
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import ExerciseItemFactory, PatientFactory, TemplateProgramFactory
from tests.once import assert_reused, form_key
from tests.programs.races import race

JSON = {"content_type": "application/json"}


def _template(clinic) -> Program:
    template = cast(Program, TemplateProgramFactory(clinic=clinic, name="Starter"))
    ExerciseItemFactory(program=template)
    return template


@pytest.mark.django_db
def test_the_assign_form_sent_twice_makes_one_program_and_both_go_to_the_patient(
    therapist_a, patient_a
):
    template = _template(therapist_a.clinic)
    client = signed_in(therapist_a)
    key = form_key(client.get(f"/programs/{template.public_id}/").content.decode())
    form = {"save": "assign", "patient": patient_a.public_id, "client_id": key}

    answers = [client.post(f"/programs/{template.public_id}/", form) for _ in range(2)]

    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {f"/patients/{patient_a.public_id}/"}
    program = patient_a.programs.get()  # one program, so Today lists each exercise once
    assert (program.items.count(), str(program.client_id)) == (1, key)
    created = AuditEntry.objects.filter(action="create", target_ref=str(program.public_id))
    assert created.count() == 1


@pytest.mark.django_db
def test_each_drawing_of_the_builder_gets_a_new_key(therapist_a):
    template = _template(therapist_a.clinic)
    client = signed_in(therapist_a)

    keys = {form_key(client.get(f"/programs/{template.public_id}/").content.decode())}
    keys.add(form_key(client.get(f"/programs/{template.public_id}/").content.decode()))

    assert len(keys) == 2


@pytest.mark.django_db
def test_a_key_used_for_another_patient_is_refused_and_makes_nothing(therapist_a, patient_a):
    template = _template(therapist_a.clinic)
    other = PatientFactory(therapist=therapist_a)
    client = signed_in(therapist_a)
    key, url = str(uuid.uuid4()), f"/programs/{template.public_id}/"
    client.post(url, {"save": "assign", "patient": patient_a.public_id, "client_id": key})

    page = client.post(url, {"save": "assign", "patient": other.public_id, "client_id": key})

    assert page.status_code == 400
    assert "reload the page" in page.content.decode()
    assert not other.programs.exists()


@pytest.mark.django_db
def test_the_api_retried_with_its_client_id_answers_200_with_the_same_program(
    therapist_a, patient_a
):
    template = _template(therapist_a.clinic)
    client = signed_in(therapist_a)
    body = {"patient": str(patient_a.public_id), "client_id": str(uuid.uuid4())}
    url = f"/api/v1/programs/{template.public_id}/assign/"

    first = client.post(url, body, **JSON)
    again = client.post(url, body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert patient_a.programs.count() == 1


@pytest.mark.django_db
def test_the_api_without_client_id_assigns_as_before(therapist_a, patient_a):
    template = _template(therapist_a.clinic)
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{template.public_id}/assign/"

    answers = [client.post(url, {"patient": str(patient_a.public_id)}, **JSON) for _ in range(2)]

    assert [a.status_code for a in answers] == [201, 201]
    assert patient_a.programs.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_assigns_with_one_key_at_the_same_moment_make_one_program(
    require_postgres, therapist_a, patient_a
):
    """Writer A assigns and holds its transaction open; writer B, the double click, is seen
    waiting on the unique key; A commits. B answers with A's program and makes nothing."""
    template = _template(therapist_a.clinic)
    key = uuid.uuid4()
    made: list[Program] = []

    def assign() -> None:
        made.append(
            program_assign(actor=therapist_a, program=template, patient=patient_a, client_id=key)
        )

    race(assign, assign)

    assert Program.objects.filter(patient=patient_a).count() == 1
    assert made[0].pk == made[1].pk


@pytest.mark.django_db
def test_a_client_id_sent_again_with_another_assignment_is_a_409_naming_what_differs(
    therapist_a, patient_a
):
    template, other = _template(therapist_a.clinic), _template(therapist_a.clinic)
    client = signed_in(therapist_a)
    body = {"patient": str(patient_a.public_id), "client_id": str(uuid.uuid4())}
    client.post(f"/api/v1/programs/{template.public_id}/assign/", body, **JSON)
    start = patient_a.local_today().isoformat()

    again = client.post(
        f"/api/v1/programs/{other.public_id}/assign/",
        body | {"start_date": start, "weekdays": ["mon", "wed", "fri"]},
        **JSON,
    )

    assert_reused(again, "program", "start_date", "weekdays")
    program = patient_a.programs.get()
    assert program.weekdays == template.weekdays


def _draft(therapist, patient) -> Program:
    """A draft of the patient's own (made under a key of its own, as the builder makes it)."""
    draft = program_create(actor=therapist, name="Ann's plan", patient=patient)
    ExerciseItemFactory(program=draft)
    return draft


def _assignments(draft: Program) -> int:
    """How many times the draft was started: audited as created, once more than its making."""
    return AuditEntry.objects.filter(action="create", target_ref=str(draft.public_id)).count() - 1


@pytest.mark.django_db
def test_the_api_assigning_a_draft_retried_with_its_client_id_answers_200_with_the_program(
    therapist_a, patient_a
):
    draft = _draft(therapist_a, patient_a)
    client = signed_in(therapist_a)
    body = {"patient": str(patient_a.public_id), "client_id": str(uuid.uuid4())}
    url = f"/api/v1/programs/{draft.public_id}/assign/"

    first = client.post(url, body, **JSON)
    again = client.post(url, body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert patient_a.programs.get().is_active
    assert _assignments(draft) == 1


@pytest.mark.django_db
def test_the_assign_form_of_a_draft_sent_twice_goes_to_the_patient_both_times(
    therapist_a, patient_a
):
    draft = _draft(therapist_a, patient_a)
    client = signed_in(therapist_a)
    form = drawn_form(
        client.get(f"/programs/{draft.public_id}/").text, with_field="precaution_override"
    )
    assert form["save"] == "assign"

    answers = [client.post(f"/programs/{draft.public_id}/", form) for _ in range(2)]

    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {f"/patients/{patient_a.public_id}/"}


@pytest.mark.django_db
def test_a_draft_assigned_again_under_its_key_with_other_dates_is_a_409(therapist_a, patient_a):
    draft = _draft(therapist_a, patient_a)
    client = signed_in(therapist_a)
    body = {"patient": str(patient_a.public_id), "client_id": str(uuid.uuid4())}
    url = f"/api/v1/programs/{draft.public_id}/assign/"
    client.post(url, body, **JSON)
    later = (patient_a.local_today() + dt.timedelta(days=3)).isoformat()

    again = client.post(url, body | {"start_date": later}, **JSON)

    assert_reused(again, "start_date")
    draft.refresh_from_db()
    assert draft.start_date == patient_a.local_today()


@pytest.mark.django_db
def test_a_key_that_started_a_draft_sent_to_assign_a_template_is_a_409(therapist_a, patient_a):
    draft, template = _draft(therapist_a, patient_a), _template(therapist_a.clinic)
    client = signed_in(therapist_a)
    body = {"patient": str(patient_a.public_id), "client_id": str(uuid.uuid4())}
    client.post(f"/api/v1/programs/{draft.public_id}/assign/", body, **JSON)

    again = client.post(f"/api/v1/programs/{template.public_id}/assign/", body, **JSON)

    assert_reused(again, "program")
    assert patient_a.programs.get() == draft


@pytest.mark.django_db(transaction=True)
def test_two_assigns_of_a_draft_with_one_key_at_the_same_moment_both_answer_with_it(
    require_postgres, therapist_a, patient_a
):
    """Writer B, the double click, waits on the draft until A commits, then finds A's key."""
    draft = _draft(therapist_a, patient_a)
    key = uuid.uuid4()
    made: list[Program] = []

    def assign() -> None:
        program = Program.objects.get(pk=draft.pk)  # each request reads the draft itself
        made.append(
            program_assign(actor=therapist_a, program=program, patient=patient_a, client_id=key)
        )

    race(assign, assign)

    assert [program.pk for program in made] == [draft.pk, draft.pk]
    assert _assignments(draft) == 1
