"""The builder draws several forms with fields of the same name (the program's name and the
template's, a reason to override on the ladder card and on Assign, each form's client id):
every field keeps an id of its own, so each label names its own field (a click on "Template
name" went to "Program name", and a screen reader heard no name for the template's field)."""

from collections import Counter
from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.patients.precautions import precaution_set
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, LadderFactory, ProgramFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))


class _Ids(HTMLParser):
    """Every id on the page, and each label's words with the id it is for."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[found["id"] or ""] += 1
        if tag == "label":
            self._label_for = found.get("for") or None

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._label_for and data.strip():
            self.labels.setdefault(" ".join(data.split()), self._label_for)


def _read(html: str) -> _Ids:
    reader = _Ids()
    reader.feed(html)
    return reader


@pytest.fixture
def draft(patient_a, therapist_a):
    """A patient's draft with hip precautions in force: the builder draws the reason to
    override on the ladder card and on Assign."""
    with time_machine.travel(NOW, tick=False):
        precaution_set(
            actor=therapist_a, patient=patient_a, kind="posterior",
            starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
        )  # fmt: skip
    program = ProgramFactory(patient=patient_a, is_active=False)
    ExerciseItemFactory(program=program)
    LadderFactory(name="Clamshell", levels=4)  # the ladder card draws its form
    return program


def test_no_id_is_drawn_twice_on_a_patients_draft(therapist_a, draft):
    with time_machine.travel(NOW, tick=False):
        page = signed_in(therapist_a).get(f"/programs/{draft.public_id}/")

    repeated = {name: count for name, count in _read(page.text).ids.items() if count > 1}
    assert repeated == {}


def test_the_template_name_label_names_the_templates_own_field(therapist_a, draft):
    with time_machine.travel(NOW, tick=False):
        page = signed_in(therapist_a).get(f"/programs/{draft.public_id}/")

    labels = _read(page.text).labels
    assert labels["Template name"] != labels["Program name"]
    assert f'id="{labels["Template name"]}"' in page.text


def test_a_refused_template_name_marks_the_templates_field_not_the_programs(therapist_a, draft):
    with time_machine.travel(NOW, tick=False):
        page = signed_in(therapist_a).post(
            f"/programs/{draft.public_id}/", {"save": "template", "name": ""}
        )

    assert page.status_code == 400
    labels = _read(page.text).labels
    field = labels["Template name"]
    assert field != labels["Program name"]
    assert f'aria-describedby="{field}_error"' in page.text
    assert f'id="{field}_error"' in page.text
    assert page.text.count('aria-invalid="true"') == 1
