"""An archived (discharged) patient's programs on the staff pages: the builder, the level
page and the inbox show them read-only, with a short notice and the restore action, and a
form sent anyway (a page open since before the archive) is a 400 saying "This patient is
archived; restore them to change their program.", nothing saved or audited, never a 500.
Restoring brings the edit controls back; a template's builder is unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.patients.archive_services import patient_archive
from apps.patients.models import Patient
from apps.programs.forms import PATIENT_NOT_LISTED
from apps.programs.locks import PATIENT_ARCHIVED
from tests.conftest import signed_in
from tests.drawn_form import drawn_forms, form_saying
from tests.programs.archived_programs import Record, a_record, archived_as_before_closing, state

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The builder's forms that change the patient's program, by their words.
BUILDER_FORMS = {
    "Save name and notes": {"name": "New name"},
    "Save schedule": {},
    "Assign": {},  # the draft's Start
    "Save dose": {"sets": "3"},
    "Move down": {},
    "Remove": {},
    "Add ladder": {"level": "1"},
    "Add Bridge": {},  # the library's Add
}
EDIT_WORDS = ["Save name and notes", "Save schedule", "Save dose", "Move down", "Remove",
              "Add ladder", "Add Bridge"]  # fmt: skip


@pytest.fixture
def record(patient_a) -> Record:
    return a_record(patient_a)


def builder(record: Record, program=None) -> str:
    return f"/programs/{(program or record.program).public_id}/"


def words_of_forms(html: str) -> str:
    return " ".join(form.words for form in drawn_forms(html))


@pytest.mark.parametrize("words", BUILDER_FORMS)
def test_a_builder_form_sent_after_the_archive_is_refused_saying_so(therapist_a, record, words):
    client = signed_in(therapist_a)
    program = record.draft if words == "Assign" else record.program
    form = form_saying(client.get(builder(record, program)).text, words)
    patient_archive(patient=record.patient, actor=therapist_a)
    before = state(record.patient)

    answer = client.post(form.action, form.values | BUILDER_FORMS[words])

    assert answer.status_code == 400
    assert PATIENT_ARCHIVED in answer.text
    assert state(record.patient) == before
    assert "Save dose" not in words_of_forms(answer.text)  # the page drawn read-only


@pytest.mark.parametrize("page", ["new", "template"])
def test_a_new_or_assigned_program_for_a_patient_archived_meanwhile_says_why(
    therapist_a, record, page
):
    client = signed_in(therapist_a)
    url = "/programs/new/" if page == "new" else builder(record, record.template)
    form = form_saying(client.get(url).text, "Create and open" if page == "new" else "Assign")
    values = form.values | {"patient": str(record.patient.public_id), "name": "Second"}
    patient_archive(patient=record.patient, actor=therapist_a)
    before = state(record.patient)

    answer = client.post(form.action or url, values)

    assert answer.status_code == 400
    assert PATIENT_NOT_LISTED in answer.text
    assert state(record.patient) == before


def test_the_htmx_save_dose_says_not_saved_and_draws_the_items_read_only(therapist_a, record):
    client = signed_in(therapist_a)
    form = form_saying(client.get(builder(record)).text, "Save dose")
    patient_archive(patient=record.patient, actor=therapist_a)
    before = state(record.patient)

    answer = client.post(form.action, form.values | {"sets": "3"}, **HTMX)

    assert answer.status_code == 400
    assert f"Not saved: {PATIENT_ARCHIVED}" in answer.text
    assert not drawn_forms(answer.text)
    assert state(record.patient) == before


def test_the_level_page_sent_after_the_archive_is_refused_saying_so(therapist_a, record):
    client = signed_in(therapist_a)
    url = f"{builder(record)}items/{record.ladder_item.public_id}/level/"
    form = form_saying(client.get(url).text, "Change level")
    patient_archive(patient=record.patient, actor=therapist_a)
    before = state(record.patient)

    answer = client.post(url, form.values | {"level": "2", "reason": "Ready"})

    assert answer.status_code == 400
    assert PATIENT_ARCHIVED in answer.text
    assert state(record.patient) == before


@pytest.mark.parametrize(
    ("button", "values"),
    [
        ("Approve level", {}),
        ("Why keep this level?", {"reason": "Not yet"}),
        ("Ask me again on", {"until": "+3"}),
    ],
)
def test_an_inbox_decision_sent_after_the_archive_is_refused_saying_so(
    therapist_a, record, button, values
):
    client = signed_in(therapist_a)
    form = form_saying(client.get("/inbox/").text, button)
    archived_as_before_closing(record.patient)  # the prompt left open, as before closing
    if values.get("until"):
        values = {"until": (record.patient.local_today() + timedelta(days=3)).isoformat()}
    before = state(record.patient)

    answer = client.post(form.action, form.values | values)

    assert answer.status_code == 400
    assert PATIENT_ARCHIVED in answer.text
    assert state(record.patient) == before


def test_the_builder_of_an_archived_patients_program_is_read_only(therapist_a, admin_a, record):
    patient_archive(patient=record.patient, actor=therapist_a)

    for user in (therapist_a, admin_a):
        page = signed_in(user).get(builder(record))

        assert page.status_code == 200
        assert "Read-only: Ann A is archived" in page.text
        assert PATIENT_ARCHIVED in page.text
        forms = words_of_forms(page.text)
        assert not [words for words in EDIT_WORDS if words in forms]
        assert "Change level" not in page.text
        assert "Save as template" in forms  # a copy changes nothing of theirs
        restore = form_saying(page.text, "Restore patient")
        assert (restore.action, restore.values["change"]) == (
            f"/patients/{record.patient.public_id}/",
            "restore",
        )


def test_the_notices_restore_brings_the_edit_controls_back(therapist_a, record):
    patient_archive(patient=record.patient, actor=therapist_a)
    client = signed_in(therapist_a)
    restore = form_saying(client.get(builder(record)).text, "Restore patient")

    restored = client.post(restore.action, restore.values)

    assert restored.status_code == 302
    assert Patient.objects.get(pk=record.patient.pk).archived_at is None
    page = client.get(builder(record))
    assert "Read-only" not in page.text
    forms = words_of_forms(page.text)
    assert all(words in forms for words in EDIT_WORDS)


def test_the_level_page_and_a_template_builder(therapist_a, record):
    patient_archive(patient=record.patient, actor=therapist_a)
    client = signed_in(therapist_a)

    level = client.get(f"{builder(record)}items/{record.ladder_item.public_id}/level/")
    template = client.get(builder(record, record.template))

    assert level.status_code == 200
    assert "Read-only: Ann A is archived" in level.text
    assert "Change level" not in words_of_forms(level.text)
    assert "Read-only" not in template.text
    assert "Save schedule" in words_of_forms(template.text)


def test_the_inbox_offers_nothing_to_do_on_an_archived_patients_open_prompt(therapist_a, record):
    archived_as_before_closing(record.patient)

    inbox = signed_in(therapist_a).get("/inbox/")

    assert inbox.status_code == 200
    assert "Ann A is archived (discharged): this prompt cannot be approved" in inbox.text
    assert not [f for f in drawn_forms(inbox.text) if str(record.prompt.public_id) in f.action]
