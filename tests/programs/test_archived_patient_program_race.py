"""A change to a patient's program sent while the patient is being archived: the request
passed its own checks before the archive committed, then waits for the patient's lock
(which archiving holds) and is refused once it has it (a 400 saying the patient is
archived), nothing saved or audited, as if it had come a moment later. A restore committed
while a change waits lets it through. Real threads, each with its own PostgreSQL connection
(tests/programs/races.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apps.patients.archive_services import patient_archive, patient_restore
from apps.programs.locks import PATIENT_ARCHIVED
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.programs.archived_programs import Record, a_record, state
from tests.programs.races import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("require_postgres")]

P = "/api/v1/programs"


def answered(send: Callable[[], Any], answers: list[Any]) -> Callable[[], None]:
    return lambda: answers.append(send())


def api(user, method: str, url: str, body: dict[str, Any]) -> Callable[[], Any]:
    return lambda: getattr(signed_in(user), method)(url, body, content_type="application/json")


def during_the_archive(record: Record, admin, send: Callable[[], Any]) -> Any:
    answers: list[Any] = []
    race(lambda: patient_archive(patient=record.patient, actor=admin), answered(send, answers))
    return answers[0]


@pytest.fixture
def record(patient_a) -> Record:
    return a_record(patient_a)


@pytest.mark.parametrize(
    ("writer", "field"),
    [("dose", "non_field_errors"), ("level", "non_field_errors"), ("create", "patient")],
)
def test_a_change_waiting_while_the_patient_is_archived_is_refused(
    therapist_a, admin_a, record, writer, field
):
    program, item, ladder = record.program, record.exercise_item, record.ladder_item
    sends = {
        "dose": ("patch", f"{P}/{program.public_id}/items/{item.public_id}/update/", {"sets": 3}),
        "level": (
            "post",
            f"{P}/{program.public_id}/items/{ladder.public_id}/level/",
            {"level": 2, "reason": "Ready"},
        ),
        "create": (
            "post",
            f"{P}/create/",
            {"name": "Two", "patient": str(record.patient.public_id)},
        ),
    }
    before = state(record.patient)

    answer = during_the_archive(record, admin_a, api(therapist_a, *sends[writer]))

    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"] == {field: [PATIENT_ARCHIVED]}
    after = state(record.patient)
    # Programs, items, level changes as they were; the open prompt closed by the archive,
    # which audits itself and that closing: two entries, none of the refused change.
    assert (after[:2], after[3:5]) == (before[:2], before[3:5])
    assert after[5] == before[5] + 2


def test_the_builders_save_schedule_waiting_while_the_patient_is_archived_is_refused(
    therapist_a, admin_a, record
):
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{record.program.public_id}/").text, "Save schedule")
    ends = (record.patient.local_today()).isoformat()

    answer = during_the_archive(
        record, admin_a, lambda: client.post(form.action, form.values | {"end_date": ends})
    )

    assert answer.status_code == 400
    assert PATIENT_ARCHIVED in answer.text
    record.program.refresh_from_db()
    assert record.program.end_date is None


def test_a_change_waiting_while_the_patient_is_restored_is_saved(therapist_a, admin_a, record):
    patient_archive(patient=record.patient, actor=admin_a)
    item = record.exercise_item
    answers: list[Any] = []
    send = api(
        therapist_a, "patch", f"{P}/{record.program.public_id}/items/{item.public_id}/update/",
        {"sets": 3},
    )  # fmt: skip

    race(lambda: patient_restore(patient=record.patient, actor=admin_a), answered(send, answers))

    assert answers[0].status_code == 200, answers[0].content
    current = ProgramItem.objects.filter(track=item.track).order_by("-pk").first()
    assert current is not None
    assert current.sets == 3
