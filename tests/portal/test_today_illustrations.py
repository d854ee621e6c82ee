"""The patient's today page shows each exercise's drawn start and end positions, with a
button to enlarge them, and the service worker keeps them for offline use."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.exercises.illustrations import illustration_version
from apps.exercises.models import LadderLevel
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
PAIR = re.compile(r'src="/illustrations/([a-z0-9-]+)/pair\.svg\?v=(\w+)"')
STEPS = ["Lie on your side, knees bent.", "Keep the feet together.", "Open the top knee."]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))


def test_today_shows_each_exercises_pictures_with_alt_text_and_an_enlarge_button(
    patient_a, program
):
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(key="clam-1", steps=STEPS))
    ladder = LadderFactory(levels=1)
    LadderLevel.objects.filter(ladder=ladder).update(
        exercise=ExerciseFactory(key="side-lying-hip-abduction", steps=STEPS)
    )
    LadderItemFactory(program=program, ladder=ladder)
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(steps=STEPS))

    response = signed_in(patient_a.user).get("/today/")

    text = html.unescape(response.text)
    assert [key for key, _ in PAIR.findall(text)] == ["clam-1", "side-lying-hip-abduction"]
    assert {v for _, v in PAIR.findall(text)} == {illustration_version()}
    assert f"Start: {STEPS[0]} Movement: {STEPS[2]}" in text
    assert text.count('aria-expanded="false" data-illustration-toggle') == 2
    # The looping and stacked (enlarged, upright phone) versions are named for the worker.
    assert text.count("/illustrations/clam-1/loop.svg?v=") == 1
    assert text.count("/illustrations/clam-1/stack.svg?v=") == 1
    assert '<script src="/static/js/illustrations.js"' in text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)  # no inline script


def test_today_with_pictures_keeps_its_query_count(
    patient_a, program, django_assert_max_num_queries
):
    for key in ("clam-1", "clam-2", "fire-hydrant", "pelvic-drop"):
        ExerciseItemFactory(program=program, exercise=ExerciseFactory(key=key, steps=STEPS))
        LadderItemFactory(program=program)
    client = signed_in(patient_a.user)

    with django_assert_max_num_queries(15):  # the Today page's own ceiling: drawings add none
        response = client.get("/today/")

    assert len(PAIR.findall(response.text)) == 4


def test_the_service_worker_caches_pictures_and_their_script():
    body = Client().get("/sw.js").content.decode()

    assert "/static/js/illustrations.js" in body
    assert "cachePictures" in body
    assert "illustrations\\/" in body
    assert "today\\/media\\/" in body
