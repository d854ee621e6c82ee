"""An exercise the therapist prescribed against the patient's hip precautions with an override
reason: Today and the handout say plainly that the therapist checked it against them, keep
the exercise's caution, and never show the reason (written for staff, not the patient)."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from apps.patients.precautions import precaution_set
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
CHECKED = "Your therapist checked this exercise against your hip precautions"
CAUTION = "Not for people with a hip replacement"
REASON = "Surgeon OK'd IR to 20 deg from wk 4, see op note"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def item(patient_a, therapist_a):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))
    wiper = ExerciseFactory(
        name="Wiper", hip_movements=["internal_rotation"], cautions=f"{CAUTION}."
    )
    return ExerciseItemFactory(program=program, exercise=wiper)


def test_today_says_the_therapist_checked_it_and_keeps_the_caution(patient_a, therapist_a, item):
    overridden(item, actor=therapist_a, reason=REASON)
    client = signed_in(patient_a.user)
    html = client.get("/today/").text
    assert CHECKED in html
    assert CAUTION in html
    assert REASON not in html
    entry = client.get("/api/v1/me/today/").json()["items"][0]
    assert entry["precautions_checked"] is True
    assert REASON not in str(entry)


def test_without_an_override_today_says_nothing_of_a_check(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(cautions=f"{CAUTION}."))
    client = signed_in(patient_a.user)
    html = client.get("/today/").text
    assert CAUTION in html
    assert CHECKED not in html
    assert client.get("/api/v1/me/today/").json()["items"][0]["precautions_checked"] is False


def test_the_handout_says_it_too_without_the_reason(patient_a, therapist_a, item):
    overridden(item, actor=therapist_a, reason=REASON)
    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert CHECKED in text
    assert CAUTION in text
    assert "op note" not in text
