"""Today without JavaScript: a set the server refuses comes back with the card's message,
and the fields it is about are marked invalid and described by that message (WCAG 2.2 AA
3.3.1, 4.1.2), as js/today/form.mjs marks them when it refuses a set itself."""

from __future__ import annotations

import re
import uuid

import pytest

from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _refused(patient, item, **changes: str) -> str:
    data = {
        "client_id": str(uuid.uuid4()),
        "item": str(item.public_id),
        "performed_on": patient.local_today().isoformat(),
        "side": "left",
        "reps": "10",
        "pain": "2",
        **changes,
    }
    response = signed_in(patient.user).post("/today/log/", data)
    assert response.status_code == 400
    assert not SetLog.objects.exists()
    return response.content.decode()


def _attribute(tag: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', tag)
    assert found is not None, tag
    return found[1]


def _marked(html: str) -> list[tuple[str, str]]:
    """The name and aria-describedby of every field marked invalid."""
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    return [
        (_attribute(tag, "name"), _attribute(tag, "aria-describedby"))
        for tag in tags
        if 'aria-invalid="true"' in tag
    ]


@pytest.fixture
def item(patient_a):
    return ExerciseItemFactory(program=ProgramFactory(patient=patient_a), per_side=True)


def test_a_set_without_pain_marks_the_eleven_pain_buttons_described_by_the_message(patient_a, item):
    html = _refused(patient_a, item, pain="")

    message = f"errors-{item.public_id}"
    assert re.search(rf'<div class="form-errors"[^>]* id="{message}">', html)
    assert "Choose how much pain" in html
    assert _marked(html) == [("pain", message)] * 11


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reps": "250"}, "reps"), ({"difficulty": "9"}, "difficulty"), ({"note": "x" * 501}, "note")],
)
def test_a_refused_amount_difficulty_or_note_marks_that_field_only(patient_a, item, changes, field):
    html = _refused(patient_a, item, **changes)

    assert _marked(html) == [(field, f"errors-{item.public_id}")]


def test_a_set_saved_marks_nothing(patient_a, item):
    client = signed_in(patient_a.user)

    client.post("/today/log/", {
        "client_id": str(uuid.uuid4()), "item": str(item.public_id), "side": "left",
        "performed_on": patient_a.local_today().isoformat(), "reps": "10", "pain": "2",
    })  # fmt: skip

    assert SetLog.objects.count() == 1
    assert "aria-invalid" not in client.get("/today/").content.decode()
