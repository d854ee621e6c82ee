"""A per-side exercise with one side's prescribed sets done: the side still due is the
card's first, primary log button; the side already done comes after it as a plain button
(an extra set, still allowed), so a patient tapping the first button does the due set."""

from __future__ import annotations

import re

import pytest

from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory
from tests.portal.test_today_page import PAGE, _frozen, log, program  # noqa: F401

pytestmark = pytest.mark.django_db


def log_buttons(html: str, item) -> list[tuple[str, bool]]:
    """The card's visible log buttons in page order: (side, primary)."""
    card = html[html.index(f'id="item-{item.public_id}"') :]
    form = card[card.index("<form") : card.index("</form>")]
    buttons = re.findall(
        r'<button [^>]*class="([^"]*log-button[^"]*)"[^>]*data-log-side="(\w+)"', form
    )
    return [(side, "primary" in classes.split()) for classes, side in buttons]


def test_the_side_still_due_comes_first_once_the_other_side_is_done(
    patient_a,
    program,  # noqa: F811
):
    item = ExerciseItemFactory(program=program, per_side=True, sets=1, reps=10)
    client = signed_in(patient_a.user)
    assert log_buttons(client.get(PAGE).content.decode(), item) == [
        ("left", True),
        ("right", True),
    ]

    log(item, side="left")
    assert log_buttons(client.get(PAGE).content.decode(), item) == [
        ("right", True),
        ("left", False),
    ]


def test_sides_keep_their_order_while_both_have_sets_to_do(patient_a, program):  # noqa: F811
    item = ExerciseItemFactory(program=program, per_side=True, sets=2, reps=10)
    log(item, side="left")
    client = signed_in(patient_a.user)
    assert log_buttons(client.get(PAGE).content.decode(), item) == [
        ("left", True),
        ("right", True),
    ]


def test_both_sides_done_keeps_both_buttons_as_they_were(patient_a, program):  # noqa: F811
    item = ExerciseItemFactory(program=program, per_side=True, sets=1, reps=10)
    log(item, side="right")
    log(item, side="left")
    client = signed_in(patient_a.user)
    assert log_buttons(client.get(PAGE).content.decode(), item) == [
        ("left", True),
        ("right", True),
    ]
