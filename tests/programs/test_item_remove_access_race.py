"""Removing an item (POST /api/v1/programs/<id>/items/<item>/remove/, the builder's Remove)
asks again, under the program's lock, whether the caller may still change the program: a
patient handed over to a colleague while the request waited is a 404 for the former
therapist, and nothing is removed or recorded; an item removed meanwhile is a 404 too
(a 500 before). Two PostgreSQL connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.programs.item_services import program_item_remove
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory, TemplateProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over


@pytest.fixture
def item(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    return ExerciseItemFactory(program=program, sets=2, reps=10)


def remove_url(item) -> str:
    return f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/remove/"


def still_there(item) -> bool:
    return ProgramItem.objects.filter(pk=item.pk, active_until__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_removal_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, item
):
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: signed_in(therapist_a).post(remove_url(item)),
    )  # fmt: skip

    assert answer.status_code == 404, answer.content
    assert still_there(item)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_builders_remove_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, item
):
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{item.program.public_id}/").text, "Remove")
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=lambda: client.post(form.action, form.values)
    )

    assert answer.status_code == 404
    assert still_there(item)
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_removes_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, item
):
    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: signed_in(admin_a).post(remove_url(item)),
    )  # fmt: skip

    assert answer.status_code == 200, answer.content
    assert not still_there(item)


@pytest.mark.django_db(transaction=True)
def test_a_template_item_is_removed_during_a_hand_over(
    require_postgres, therapist_a, admin_a, patient_a
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    item = ExerciseItemFactory(program=template)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: signed_in(therapist_a).post(remove_url(item)),
    )  # fmt: skip

    assert answer.status_code == 200, answer.content
    assert not ProgramItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_an_item_removed_since_it_was_read_is_a_404(therapist_a, item):
    as_first_read = ProgramItem.objects.select_related("program").get(pk=item.pk)
    ProgramItem.objects.filter(pk=item.pk).delete()  # a colleague removed it (no history)
    audited = audits_by(therapist_a)

    with pytest.raises(Http404):
        program_item_remove(actor=therapist_a, item=as_first_read)

    assert audits_by(therapist_a) == audited
