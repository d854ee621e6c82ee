"""Without JavaScript, Enter in a per-side exercise's form submits with the form's first
submit button: that button carries the side that is due (fewer sets today, left when level)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory
from tests.portal.test_today_page import PAGE, _frozen, log, program  # noqa: F401

pytestmark = pytest.mark.django_db


def first_submit_side(html: str, item) -> str:
    card = html[html.index(f'id="item-{item.public_id}"') :]
    form = card[card.index("<form") : card.index("</form>")]
    found = re.search(r'<button type="submit" name="side" value="(\w+)"', form)
    assert found is not None
    return found.group(1)


def test_enter_submits_the_side_with_fewer_sets_today(patient_a, program):  # noqa: F811
    item = ExerciseItemFactory(program=program, per_side=True, sets=2, reps=10)
    client = signed_in(patient_a.user)
    assert first_submit_side(client.get(PAGE).content.decode(), item) == "left"

    log(item, side="left")
    assert first_submit_side(client.get(PAGE).content.decode(), item) == "right"

    log(item, side="right")
    assert first_submit_side(client.get(PAGE).content.decode(), item) == "left"
