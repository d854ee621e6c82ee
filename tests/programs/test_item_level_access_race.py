"""Changing a ladder item's level by hand (POST /api/v1/programs/<id>/items/<item>/level/,
the level page) asks again, under the patient's lock, whether the caller may still change
the program: a patient handed over to a colleague while the request waited is a 404 for the
former therapist, and no level changes and nothing is recorded; an item removed meanwhile
is a 404 (a 500 before). Two PostgreSQL connections (tests/programs/hand_over_races.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from apps.programs.models import LevelChange, ProgramItem
from apps.programs.prompt_decisions import item_level_set
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import LadderItemFactory, ProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over


@pytest.fixture
def item(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(9))
    return LadderItemFactory(program=program, current_level=3, ladder__levels=4)


def level_url(item, api: bool = False) -> str:
    prefix = "/api/v1" if api else ""
    return f"{prefix}/programs/{item.program.public_id}/items/{item.public_id}/level/"


def set_level(user, item):
    def send():
        return signed_in(user).post(
            level_url(item, api=True), {"level": 2, "reason": "Flare-up: ease off"},
            content_type="application/json",
        )  # fmt: skip

    return send


def level_of(item) -> int | None:
    return ProgramItem.objects.get(pk=item.pk).current_level


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_committed_while_the_level_change_waits_makes_it_a_404(
    require_postgres, therapist_a, admin_a, item
):
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a, send=set_level(therapist_a, item)
    )

    assert answer.status_code == 404, answer.content
    assert level_of(item) == 3
    assert not LevelChange.objects.exists()
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_level_page_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, item
):
    client = signed_in(therapist_a)
    form = form_saying(client.get(level_url(item)).text, "New level")
    audited = audits_by(therapist_a)  # the page's own read is in the log

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: client.post(
            form.action or level_url(item), form.values | {"level": "2", "reason": "Ease off"}
        ),
    )  # fmt: skip

    assert answer.status_code == 404
    assert level_of(item) == 3
    assert not LevelChange.objects.exists()
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_changes_the_level_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, item
):
    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=set_level(admin_a, item))

    assert answer.status_code == 200, answer.content
    assert level_of(item) == 2


@pytest.mark.django_db
def test_an_item_removed_since_it_was_read_is_a_404(therapist_a, item):
    as_first_read = ProgramItem.objects.select_related("program__patient").get(pk=item.pk)
    ProgramItem.objects.filter(pk=item.pk).delete()  # a colleague removed it (no history)
    audited = audits_by(therapist_a)

    with pytest.raises(Http404):
        item_level_set(item=as_first_read, user=therapist_a, level=2, reason="Ease off")

    assert audits_by(therapist_a) == audited
