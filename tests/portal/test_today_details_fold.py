"""The fold under each Today card's amount says what it holds: the reps are changed with the
minus and plus control above it, so for reps it holds only how hard it was and a note; for a hold it
also holds the seconds held."""

from __future__ import annotations

import re

import pytest

from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def fold_summary(html: str) -> str:
    found = re.search(r'<details class="adjust">\s*<summary>(.*?)<span', html, re.S)
    assert found is not None
    return found.group(1)


def test_for_reps_the_fold_offers_how_hard_it_was_and_a_note_not_an_amount(patient_a):
    ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    )

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert fold_summary(html) == "Add how hard it was or a note"
    assert "Did a different amount?" not in html


def test_for_a_hold_the_fold_also_offers_the_seconds_held(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    ExerciseItemFactory(program=program, reps=None, hold_seconds=20)

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert fold_summary(html) == "Change the seconds held, or add how hard it was or a note"
