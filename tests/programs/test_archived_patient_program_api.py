"""An archived (discharged) patient's programs are read-only through the API: every writer
(name and notes, schedule, items, doses, automatic advance, order, level by hand, a new or
assigned program, a prompt's approval, decline or snooze) is a 400 that says what is wrong
and what to do, and nothing is saved or audited. Reading stays allowed; restoring the
patient makes each writer work again; templates are unaffected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from apps.patients.archive_services import patient_archive, patient_restore
from apps.programs.locks import PATIENT_ARCHIVED
from apps.programs.models import ProgramItem
from apps.programs.prompt_decisions import CLOSED_ARCHIVED
from tests.conftest import signed_in
from tests.programs.archived_programs import Record, a_record, archived_as_before_closing, state

pytestmark = pytest.mark.django_db

P = "/api/v1/programs"
Send = Callable[[Record], tuple[str, str, dict[str, Any]]]


def _later(record: Record, days: int) -> str:
    return (record.patient.local_today() + timedelta(days=days)).isoformat()


# Each writer: (method, URL, body) for the record. Those that give the patient a program
# (create, assign) name ``patient`` in the refusal; the others the whole request.
WRITERS: dict[str, Send] = {
    "name and notes": lambda r: ("patch", f"{P}/{r.program.public_id}/update/", {"name": "New"}),
    "schedule": lambda r: (
        "patch",
        f"{P}/{r.program.public_id}/update/",
        {"end_date": _later(r, 30)},
    ),
    "add an item": lambda r: (
        "post",
        f"{P}/{r.program.public_id}/items/create/",
        {"exercise": str(r.exercise.public_id)},
    ),
    "dose": lambda r: (
        "patch",
        f"{P}/{r.program.public_id}/items/{r.exercise_item.public_id}/update/",
        {"sets": 3},
    ),
    "automatic advance": lambda r: (
        "patch",
        f"{P}/{r.program.public_id}/items/{r.ladder_item.public_id}/update/",
        {"auto_advance": True},
    ),
    "remove an item": lambda r: (
        "post",
        f"{P}/{r.program.public_id}/items/{r.exercise_item.public_id}/remove/",
        {},
    ),
    "reorder": lambda r: (
        "post",
        f"{P}/{r.program.public_id}/items/reorder/",
        {"items": [str(r.ladder_item.public_id), str(r.exercise_item.public_id)]},
    ),
    "level by hand": lambda r: (
        "post",
        f"{P}/{r.program.public_id}/items/{r.ladder_item.public_id}/level/",
        {"level": 2, "reason": "Ready for more"},
    ),
    "a new program": lambda r: (
        "post",
        f"{P}/create/",
        {"name": "Second", "patient": str(r.patient.public_id)},
    ),
    "assign a template": lambda r: (
        "post",
        f"{P}/{r.template.public_id}/assign/",
        {"patient": str(r.patient.public_id)},
    ),
    "start their draft": lambda r: (
        "post",
        f"{P}/{r.draft.public_id}/assign/",
        {"patient": str(r.patient.public_id)},
    ),
    "approve a prompt": lambda r: ("post", f"/api/v1/prompts/{r.prompt.public_id}/approve/", {}),
    "decline a prompt": lambda r: (
        "post",
        f"/api/v1/prompts/{r.prompt.public_id}/decline/",
        {"reason": "Not yet"},
    ),
    "snooze a prompt": lambda r: (
        "post",
        f"/api/v1/prompts/{r.prompt.public_id}/snooze/",
        {"until": _later(r, 3)},
    ),
}
NAMING_PATIENT = {"a new program", "assign a template", "start their draft"}


def send(user, record: Record, writer: str):
    method, url, body = WRITERS[writer](record)
    return getattr(signed_in(user), method)(url, body, content_type="application/json")


@pytest.fixture
def record(patient_a) -> Record:
    return a_record(patient_a)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_each_writer_is_refused_while_archived_and_works_once_restored(
    therapist_a, admin_a, record, writer, who
):
    user = therapist_a if who == "therapist" else admin_a
    # As before archiving closed prompts: an open one is still there to be refused.
    archived_as_before_closing(record.patient)
    before = state(record.patient)

    refused = send(user, record, writer)

    assert refused.status_code == 400, refused.content
    body = refused.json()
    field = "patient" if writer in NAMING_PATIENT else "non_field_errors"
    assert body["errors"] == {field: [PATIENT_ARCHIVED]}
    assert PATIENT_ARCHIVED in body["message"]
    assert state(record.patient) == before  # nothing saved, nothing audited

    patient_restore(patient=record.patient, actor=admin_a)
    allowed = send(user, record, writer)

    assert allowed.status_code in (200, 201), allowed.content


def test_a_prompt_closed_by_the_archive_says_why_rather_than_restore(therapist_a, record):
    """Restoring reopens no prompt: "restore them" would promise what it does not do."""
    patient_archive(patient=record.patient, actor=therapist_a)

    refused = send(therapist_a, record, "approve a prompt")

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"status": [f"This prompt was closed: {CLOSED_ARCHIVED}"]}


def test_reading_an_archived_patients_program_stays_allowed(therapist_a, admin_a, record):
    patient_archive(patient=record.patient, actor=therapist_a)

    for user in (therapist_a, admin_a):
        client = signed_in(user)
        detail = client.get(f"{P}/{record.program.public_id}/")
        listed = client.get(f"{P}/?patient={record.patient.public_id}")

        assert detail.status_code == 200
        assert len(detail.json()["items"]) == 2
        assert listed.status_code == 200
        assert listed.json()["count"] == 3  # the running program, the draft, the prompt's


def test_a_template_stays_editable_and_may_be_made_from_an_archived_patients_program(
    therapist_a, record
):
    """Templates have no patient; Save as template copies the program and changes nothing
    of the patient's."""
    from apps.programs.services import program_save_as_template

    patient_archive(patient=record.patient, actor=therapist_a)
    client = signed_in(therapist_a)

    renamed = client.patch(
        f"{P}/{record.template.public_id}/update/", {"name": "Renamed"},
        content_type="application/json",
    )  # fmt: skip
    before = state(record.patient)
    copy = program_save_as_template(actor=therapist_a, program=record.program, name="Copy")

    assert renamed.status_code == 200
    assert copy.is_template
    assert ProgramItem.objects.filter(program=copy).count() == 2
    assert state(record.patient)[:4] == before[:4]  # the patient's own rows as they were
