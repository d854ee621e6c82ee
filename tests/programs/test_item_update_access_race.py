"""The item update (PATCH /api/v1/programs/<id>/items/<item>/update/, the builder's Save dose)
asks again, under the program's lock, whether the caller may still change the program: a
patient handed over to a colleague while the request was under way is a 404 for the former
therapist, and nothing of it is saved or recorded, as if the request had come a moment later.

The race tests use real threads, each with its own PostgreSQL connection
(tests/programs/races.py): the hand-over holds the patients' rows uncommitted until the
PATCH, which passed the view's access check before, is seen waiting on the patient's lock."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.audit.models import AuditEntry
from apps.patients.handover import patients_hand_over
from apps.programs.edit_services import program_edit
from apps.programs.item_services import program_item_update
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import (
    ExerciseItemFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)
from tests.programs.races import race


def patch(user, item, body, answers):
    def send() -> None:
        answers.append(
            signed_in(user).patch(
                f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/update/",
                body,
                content_type="application/json",
            )
        )

    return send


def item_audits(item) -> int:
    return AuditEntry.objects.filter(patient=item.program.patient).count()


@pytest.fixture
def item(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    return ExerciseItemFactory(program=program, sets=2, reps=10, notes="")


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_patch_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, item
):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    audited = item_audits(item)
    answers: list = []

    def hand_over() -> None:
        patients_hand_over(actor=admin_a, source=therapist_a, target=colleague)

    race(hand_over, patch(therapist_a, item, {"sets": 3, "notes": "Mine"}, answers))

    assert answers[0].status_code == 404, answers[0].content
    saved = ProgramItem.objects.get(pk=item.pk)
    assert (saved.sets, saved.notes) == (2, "")
    assert ProgramItem.objects.filter(program=item.program).count() == 1
    assert item_audits(item) == audited + 1  # the hand-over's own entry alone


@pytest.mark.django_db(transaction=True)
def test_the_builders_save_dose_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, item
):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{item.program.public_id}/").text, "Save dose")
    answers: list = []

    def hand_over() -> None:
        patients_hand_over(actor=admin_a, source=therapist_a, target=colleague)

    def save_dose() -> None:
        answers.append(client.post(form.action, form.values | {"sets": "3"}))

    race(hand_over, save_dose)

    assert answers[0].status_code == 404
    assert ProgramItem.objects.get(pk=item.pk).sets == 2


@pytest.mark.django_db(transaction=True)
def test_the_colleague_taking_over_saves_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, item
):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    answers: list = []

    def hand_over() -> None:
        patients_hand_over(actor=admin_a, source=therapist_a, target=colleague)

    # The clinic admin may change any patient's program: the hand-over takes nothing away.
    race(hand_over, patch(admin_a, item, {"sets": 3}, answers))

    assert answers[0].status_code == 200, answers[0].content
    assert ProgramItem.objects.get(pk=item.pk).sets == 3


@pytest.mark.django_db(transaction=True)
def test_a_template_item_waits_for_the_templates_own_lock_and_keeps_both_changes(
    require_postgres, therapist_a, admin_a
):
    """A template has no patient: the item update takes the template's own row, the lock
    the template's PATCH holds, and then saves (neither change is lost)."""
    template = TemplateProgramFactory(clinic=therapist_a.clinic, notes="")
    item = ExerciseItemFactory(program=template, sets=2, reps=10, notes="")
    answers: list = []

    def rename() -> None:
        program_edit(actor=admin_a, program=template, changes={"notes": "Slowly."})

    race(rename, patch(therapist_a, item, {"sets": 4}, answers))

    assert answers[0].status_code == 200, answers[0].content
    assert answers[0].json()["notes"] == "Slowly."  # read under the lock, after the rename
    assert ProgramItem.objects.get(pk=item.pk).sets == 4
    template.refresh_from_db()
    assert template.notes == "Slowly."


@pytest.mark.django_db(transaction=True)
def test_a_template_item_is_saved_during_a_hand_over(
    require_postgres, therapist_a, admin_a, patient_a
):
    """A hand-over locks patients (``patient_a`` here), never a template: the template's item
    is saved at once, by the therapist who still has the clinic's templates."""
    colleague = StaffFactory(clinic=therapist_a.clinic)
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    item = ExerciseItemFactory(program=template, sets=2, reps=10, notes="")
    answers: list = []

    def hand_over() -> None:
        patients_hand_over(actor=admin_a, source=therapist_a, target=colleague)

    race(hand_over, patch(therapist_a, item, {"sets": 5}, answers))

    assert answers[0].status_code == 200, answers[0].content
    assert ProgramItem.objects.get(pk=item.pk).sets == 5


@pytest.mark.django_db
def test_the_service_refuses_a_copy_read_before_the_patient_was_handed_over(
    therapist_a, admin_a, item
):
    as_first_read = ProgramItem.objects.select_related("program").get(pk=item.pk)
    colleague = StaffFactory(clinic=therapist_a.clinic)
    patients_hand_over(actor=admin_a, source=therapist_a, target=colleague)
    audited = item_audits(item)

    with pytest.raises(Http404):
        program_item_update(actor=therapist_a, item=as_first_read, sets=3)

    assert ProgramItem.objects.get(pk=item.pk).sets == 2
    assert item_audits(item) == audited


@pytest.mark.django_db
def test_an_item_removed_since_it_was_read_is_a_404(therapist_a, item):
    as_first_read = ProgramItem.objects.select_related("program").get(pk=item.pk)
    ProgramItem.objects.filter(pk=item.pk).delete()  # a colleague removed it (no history)

    with pytest.raises(Http404):
        program_item_update(actor=therapist_a, item=as_first_read, sets=3)
