"""An item removed from a program in one window, then changed, moved or removed from the
builder still open in another: a 409 that says so in words (a 404 before, which htmx does not
swap: the save showed nothing at all). builder.js puts the words in the status line
(tests/browser/test_builder_item_removed_elsewhere.py)."""

import pytest

from apps.programs.models import ProgramItem
from apps.programs.views.items import ITEM_GONE, ITEM_GONE_PAGE
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory, TemplateProgramFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
DOSE = {"sets": "3", "reps": "12", "hold_seconds": "", "per_side": "on", "rest_seconds": "45"}


@pytest.fixture
def removed(therapist_a, patient_a):
    """An item of patient A's program, with a second one kept, removed in "another window"."""
    program = ProgramFactory(patient=patient_a)
    item, kept = (ExerciseItemFactory(program=program, position=n) for n in range(2))
    base = f"/programs/{program.public_id}/items/{item.public_id}"
    assert signed_in(therapist_a).post(f"{base}/remove/", **HTMX).status_code == 200
    return base, kept


@pytest.mark.parametrize(
    ("action", "data"), [("/", DOSE), ("/move/", {"direction": "down"}), ("/remove/", {})]
)
def test_a_removed_item_is_a_409_saying_so_to_htmx(therapist_a, removed, action, data):
    base, _ = removed
    before = list(ProgramItem.objects.values_list("pk", "active_until", "sets", "position"))

    response = signed_in(therapist_a).post(f"{base}{action}", data, **HTMX)

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/plain")
    assert response.text == ITEM_GONE
    assert ITEM_GONE == (
        "This exercise was removed from the program in another window; "
        "reload to see the current program."
    )
    after = list(ProgramItem.objects.values_list("pk", "active_until", "sets", "position"))
    assert after == before


def test_without_javascript_the_current_program_comes_back_with_the_message(therapist_a, removed):
    base, kept = removed

    response = signed_in(therapist_a).post(f"{base}/", DOSE)

    assert response.status_code == 409
    assert ITEM_GONE_PAGE in response.text
    assert f'id="item-{kept.public_id}"' in response.text


def test_another_clinics_program_is_still_a_404(therapist_a, patient_b):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_b))
    base = f"/programs/{item.program.public_id}/items/{item.public_id}"
    client = signed_in(therapist_a)

    assert client.post(f"{base}/", DOSE, **HTMX).status_code == 404
    assert client.post(f"{base}/remove/", **HTMX).status_code == 404


def test_an_item_of_another_program_is_not_found_in_this_one(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    other = ExerciseItemFactory(program=TemplateProgramFactory(clinic=therapist_a.clinic))

    url = f"/programs/{template.public_id}/items/{other.public_id}/"
    response = signed_in(therapist_a).post(url, DOSE, **HTMX)

    assert response.status_code == 409
    assert ProgramItem.objects.get(pk=other.pk).sets == other.sets
