"""Adding an item (POST /api/v1/programs/<id>/items/create/, the builder's Add) asks again,
under the program's lock, whether the caller may still change the program: a patient handed
over to a colleague while the request waited is a 404 for the former therapist, and nothing
is added or recorded (the add took no lock of the program at all before). Two PostgreSQL
connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

import pytest

from apps.programs.edit_services import program_edit
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseFactory, ProgramFactory, TemplateProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over
from tests.programs.races import race


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=patient_a.local_today())


@pytest.fixture
def exercise():
    return ExerciseFactory(name="Side-lying abduction")


def add(user, program, exercise):
    def send():
        return signed_in(user).post(
            f"/api/v1/programs/{program.public_id}/items/create/",
            {"exercise": str(exercise.public_id)},
            content_type="application/json",
        )

    return send


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_add_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, program, exercise
):
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=add(therapist_a, program, exercise)
    )

    assert answer.status_code == 404, answer.content
    assert not program.items.exists()
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_builders_add_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, program, exercise
):
    client = signed_in(therapist_a)
    results = client.get(f"/programs/{program.public_id}/exercises/", HTTP_HX_REQUEST="true").text
    form = form_saying(results, "Add Side-lying abduction")
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=lambda: client.post(form.action, form.values)
    )

    assert answer.status_code == 404
    assert not program.items.exists()
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_adds_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, program, exercise
):
    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=add(admin_a, program, exercise)
    )

    assert answer.status_code == 201, answer.content
    assert program.items.get().exercise == exercise


@pytest.mark.django_db(transaction=True)
def test_a_template_add_waits_for_the_templates_own_lock(require_postgres, therapist_a, exercise):
    """A template has no patient: the add takes the template's own row, the lock its PATCH
    holds, and then saves (neither change is lost)."""
    template = TemplateProgramFactory(clinic=therapist_a.clinic, notes="")
    answers: list = []

    def rename() -> None:
        program_edit(actor=therapist_a, program=template, changes={"notes": "Slowly."})

    race(rename, lambda: answers.append(add(therapist_a, template, exercise)()))

    assert answers[0].status_code == 201, answers[0].content
    assert answers[0].json()["notes"] == "Slowly."
    assert template.items.get().exercise == exercise


@pytest.mark.django_db(transaction=True)
def test_a_template_item_is_added_during_a_hand_over(
    require_postgres, therapist_a, admin_a, patient_a, exercise
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=add(therapist_a, template, exercise)
    )

    assert answer.status_code == 201, answer.content
    assert template.items.get().exercise == exercise
