"""The page to change a set asks for pain with Today's own control: the 0-10 buttons (radio
buttons, so the page works without its script), the set's pain chosen; and it takes the same
amounts as Today's boxes."""

from __future__ import annotations

import re
import uuid

import pytest

from apps.programs.logs import set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(patient_a):
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    )
    log, _ = set_log_record(
        patient=patient_a, item=item, client_id=uuid.uuid4(),
        performed_on=patient_a.local_today(), side="left", reps=10, pain=3,
    )  # fmt: skip
    return log


def radios(html: str) -> list[str]:
    return re.findall(r'<label class="pain-option">.*?</label>', html)


def test_the_pain_is_todays_buttons_with_the_sets_pain_chosen(patient_a, logged):
    client = signed_in(patient_a.user)

    html = client.get(f"/today/logs/{logged.public_id}/").content.decode()
    today = client.get("/today/").content.decode()

    assert '<select name="pain"' not in html
    assert len(radios(html)) == 11
    assert (
        '<label class="pain-option"><input type="radio" name="pain" value="3" required checked>'
        "<span>3</span></label>" in html
    )
    # The same control as on Today, the same words: only the choice differs.
    assert [r.replace(" checked", "") for r in radios(html)] == radios(today)
    assert '<fieldset class="pain-scale">' in html
    assert "Pain during this set" in html
    assert "0 = none, 10 = worst" in html


def test_a_pain_chosen_without_the_script_is_saved(patient_a, logged):
    response = signed_in(patient_a.user).post(
        f"/today/logs/{logged.public_id}/", {"reps": "10", "pain": "7"}
    )

    assert response.status_code == 302
    logged.refresh_from_db()
    assert logged.pain == 7


def test_a_change_without_a_pain_is_a_400_that_marks_the_buttons_and_keeps_the_reps(
    patient_a, logged
):
    response = signed_in(patient_a.user).post(
        f"/today/logs/{logged.public_id}/", {"reps": "8", "pain": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_pain_error"' in html
    assert len(radios(html)) == 11
    assert all(
        'aria-invalid="true" aria-describedby="id_pain_error"' in radio for radio in radios(html)
    )
    assert not any(" checked" in radio for radio in radios(html))
    assert 'name="reps" value="8"' in html
    logged.refresh_from_db()
    assert (logged.reps, logged.pain) == (10, 3)


def test_the_reps_box_takes_what_todays_takes(patient_a, logged):
    html = signed_in(patient_a.user).get(f"/today/logs/{logged.public_id}/").content.decode()

    reps = re.search(r"<input[^>]*name=\"reps\"[^>]*>", html)
    assert reps is not None
    assert 'min="0"' in reps.group(0)
    assert 'max="200"' in reps.group(0)
