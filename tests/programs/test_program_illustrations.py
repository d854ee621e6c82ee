"""The drawings in the builder (item cards and search results) and in the printed handout."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from apps.exercises.models import LadderLevel
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
THUMB = re.compile(r'src="/illustrations/([a-z0-9-]+)/thumb\.svg\?v=\w+"')


def _drawn(key: str, name: str):
    """A shared-library exercise whose key has poses in poses.toml."""
    return ExerciseFactory(key=key, name=name, steps=["Lie on your side.", "Bend.", "Lift."])


def _ladder_at(level_key: str):
    ladder = LadderFactory(levels=2)
    LadderLevel.objects.filter(ladder=ladder, level=2).update(exercise=_drawn(level_key, "Clam 3"))
    return ladder


@pytest.mark.parametrize("count", [1, 8])
def test_builder_cards_show_each_items_thumbnail_at_a_fixed_query_count(
    therapist_a, patient_a, django_assert_max_num_queries, count
):
    program = ProgramFactory(patient=patient_a)
    for n in range(count):
        ExerciseItemFactory(program=program, exercise=_drawn(f"clam-1-{n}", "Unknown key"))
        ExerciseItemFactory(program=program, exercise=ExerciseFactory())
    ExerciseItemFactory(program=program, exercise=_drawn("fire-hydrant", "Fire hydrant"))
    LadderItemFactory(program=program, ladder=_ladder_at("clam-3"), current_level=2)
    client = signed_in(therapist_a)

    # 22: + the patient's hip precautions, + the clinic's photos of the exercises (apps/media),
    # + the ladders already running for the patient (apps/programs/duplicates.py), + the staff
    # menu's count of what waits in the inbox.
    with django_assert_max_num_queries(22):
        response = client.get(f"/programs/{program.public_id}/")

    items = response.text.split('<section id="items"', 1)[1].split("</section>", 1)[0]
    # Only exercises with poses get a picture; the ladder shows today's level.
    assert THUMB.findall(items) == ["fire-hydrant", "clam-3"]


def test_search_results_show_thumbnails(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    _drawn("gluteal-squeeze", "Gluteal squeeze")

    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/?q=glute", **HTMX
    )

    assert THUMB.findall(response.text) == ["gluteal-squeeze"]


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_handout_draws_each_exercises_start_and_end(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    ExerciseItemFactory(program=program, exercise=_drawn("fire-hydrant", "Fire hydrant"))
    LadderItemFactory(program=program, ladder=_ladder_at("clam-3"), current_level=2)
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Our own stretch"))

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")

    assert response.status_code == 200
    text = _pdf_text(response)
    # Two drawings, each labelled Start and End; the exercise without poses has none.
    assert text.count("Start") == 2
    assert text.count("End") == 2
    assert "Clam 3 (level 2)" in text
    assert "Our own stretch" in text


def test_a_handout_without_drawn_exercises_has_no_pictures(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Our own stretch"))

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")

    assert "Start" not in _pdf_text(response)
