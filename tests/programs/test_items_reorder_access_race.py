"""Reordering items (POST /api/v1/programs/<id>/items/reorder/) and moving one (the builder's
Move up / Move down) ask again, under the program's lock, whether the caller may still
change the program: a patient handed over to a colleague while the request waited is a 404
for the former therapist, and nothing is moved or recorded (the reorder took no lock of the
program at all before, and the move read the order before any); an item removed meanwhile
is a 404 for the move. Two PostgreSQL connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.programs.edit_services import program_edit
from apps.programs.item_order import program_item_move
from apps.programs.models import ProgramItem
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory, TemplateProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over
from tests.programs.races import race


def two_items(program) -> list[ProgramItem]:
    return [ExerciseItemFactory(program=program, position=n) for n in range(2)]


@pytest.fixture
def items(patient_a):
    return two_items(ProgramFactory(patient=patient_a, start_date=patient_a.local_today()))


def order(program) -> list[int]:
    return list(program.items.order_by("position").values_list("pk", flat=True))


def reorder(user, program, items):
    def send():
        return signed_in(user).post(
            f"/api/v1/programs/{program.public_id}/items/reorder/",
            {"items": [str(item.public_id) for item in items]},
            content_type="application/json",
        )

    return send


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_reorder_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, items
):
    first, second = items
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=reorder(therapist_a, first.program, [second, first]),
    )  # fmt: skip

    assert answer.status_code == 404, answer.content
    assert order(first.program) == [first.pk, second.pk]
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_builders_move_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, items
):
    first, second = items
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{first.program.public_id}/").text, "Move down")
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=lambda: client.post(form.action, form.values)
    )

    assert answer.status_code == 404
    assert order(first.program) == [first.pk, second.pk]
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_reorders_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, items
):
    first, second = items

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=reorder(admin_a, first.program, [second, first]),
    )  # fmt: skip

    assert answer.status_code == 200, answer.content
    assert order(first.program) == [second.pk, first.pk]


@pytest.mark.django_db(transaction=True)
def test_a_template_reorder_waits_for_the_templates_own_lock(require_postgres, therapist_a):
    """A template has no patient: the reorder takes the template's own row, the lock its
    PATCH holds, and then saves (neither change is lost)."""
    template = TemplateProgramFactory(clinic=therapist_a.clinic, notes="")
    first, second = two_items(template)
    answers: list = []

    def rename() -> None:
        program_edit(actor=therapist_a, program=template, changes={"notes": "Slowly."})

    race(rename, lambda: answers.append(reorder(therapist_a, template, [second, first])()))

    assert answers[0].status_code == 200, answers[0].content
    assert answers[0].json()["notes"] == "Slowly."
    assert order(template) == [second.pk, first.pk]


@pytest.mark.django_db
def test_moving_an_item_removed_since_it_was_read_is_a_404(therapist_a, items):
    first = items[0]
    as_first_read = ProgramItem.objects.select_related("program").get(pk=first.pk)
    ProgramItem.objects.filter(pk=first.pk).delete()  # a colleague removed it (no history)

    with pytest.raises(Http404):
        program_item_move(actor=therapist_a, item=as_first_read, offset=1)
