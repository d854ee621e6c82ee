"""Save as template copies a patient's program (its notes and its items' notes, written for
the patient) into a clinic template every colleague reads: the patient's audit trail says
so, as it says every other write of their program, in the same transaction as the copy."""

from __future__ import annotations

import pytest

from apps.audit.models import Action, AuditEntry
from apps.programs import services
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory, TemplateProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a, notes="Left side first.")
    ExerciseItemFactory(program=program)
    return program


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.EXPORT))


def test_the_builders_save_as_template_is_in_the_patients_audit_trail(
    therapist_a, patient_a, program
):
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{program.public_id}/").text, "Save as template")

    answer = client.post(form.action, form.values | {"name": "Hip basics"})

    template = Program.objects.get(is_template=True)
    assert answer["Location"] == f"/programs/{template.public_id}/"
    (entry,) = _exports()
    assert (entry.actor, entry.patient, entry.clinic_id) == (
        therapist_a,
        patient_a,
        patient_a.clinic_id,
    )
    assert (entry.target_type, entry.target_ref) == ("programs.Program", str(program.public_id))
    assert entry.detail == "saved as the clinic template “Hip basics”"
    assert entry.ip_address == "127.0.0.1"


def test_sent_twice_with_one_key_it_is_audited_once(therapist_a, program):
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{program.public_id}/").text, "Save as template")

    for _ in range(2):
        client.post(form.action, form.values | {"name": "Hip basics"})

    assert Program.objects.filter(is_template=True).count() == 1
    assert len(_exports()) == 1


def test_a_name_refused_writes_no_entry(therapist_a, program):
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{program.public_id}/").text, "Save as template")

    answer = client.post(form.action, form.values | {"name": "Two\nlines"})

    assert answer.status_code == 400
    assert _exports() == []


def test_a_long_template_name_is_cut_to_the_entrys_detail(therapist_a, program):
    services.program_save_as_template(actor=therapist_a, program=program, name="Hip " * 50)

    (entry,) = _exports()
    assert len(entry.detail) <= 200
    assert entry.detail.startswith("saved as the clinic template “Hip Hip")


def test_a_template_copied_from_a_template_is_not_audited(therapist_a):
    # Templates hold no patient data: creating or changing one writes no entry either.
    source = TemplateProgramFactory(clinic=therapist_a.clinic, created_by=therapist_a)

    services.program_save_as_template(actor=therapist_a, program=source, name="Copy")

    assert Program.objects.filter(is_template=True).count() == 2
    assert _exports() == []


class AuditDown(Exception):
    pass


def test_no_template_is_left_when_its_entry_cannot_be_written(therapist_a, program, monkeypatch):
    def fail(**kwargs):
        raise AuditDown

    monkeypatch.setattr("apps.programs.services.audit_record", fail)

    with pytest.raises(AuditDown):
        services.program_save_as_template(actor=therapist_a, program=program, name="Hip basics")

    assert not Program.objects.filter(is_template=True).exists()
