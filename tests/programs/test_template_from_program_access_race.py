"""Saving a patient's program as a clinic template (the builder's Save as template) asks
again, under the patient's lock, whether the caller may still change the patient's programs:
a patient handed over to a colleague after the request's own check is a 404 for the former
therapist, and no template is made (it copied the program's notes and its items, with their
notes, levels and doses, as they were under the new therapist). Two PostgreSQL connections
(tests/programs/races.py)."""

from __future__ import annotations

import pytest

from apps.clinics.models import User
from apps.patients.handover import patients_hand_over
from apps.programs import services
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory, StaffFactory
from tests.programs.races import paused_after


def saved_as_template_during_a_hand_over(*, user, admin, therapist, program) -> object:
    """What the builder's Save as template answered ``user``, the request stopped after its
    own access check while ``admin`` moved ``therapist``'s patients to a colleague."""
    client = signed_in(user)
    form = form_saying(client.get(f"/programs/{program.public_id}/").text, "Save as template")
    colleague: User = StaffFactory(clinic=therapist.clinic)
    answers = []

    def save() -> None:
        answers.append(client.post(form.action, form.values | {"name": "Hip basics"}))

    def hand_over() -> None:
        patients_hand_over(actor=admin, source=therapist, target=colleague)

    paused_after(services, "request_print", save, hand_over)
    return answers[0]


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a, notes="Ann: left hip only, after her surgery.")
    ExerciseItemFactory(program=program)
    return program


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_before_the_copy_makes_it_a_404(
    require_postgres, therapist_a, admin_a, program
):
    answer = saved_as_template_during_a_hand_over(
        user=therapist_a, admin=admin_a, therapist=therapist_a, program=program
    )

    assert answer.status_code == 404
    assert not Program.objects.filter(is_template=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_admin_saves_a_template_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, program
):
    answer = saved_as_template_during_a_hand_over(
        user=admin_a, admin=admin_a, therapist=therapist_a, program=program
    )

    assert answer.status_code == 302
    template = Program.objects.get(is_template=True)
    assert (template.name, template.items.count()) == ("Hip basics", 1)
