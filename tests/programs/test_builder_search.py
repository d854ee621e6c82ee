"""The builder searches like the library and shows every match (issue 20, item 5)."""

import re

import pytest

from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from tests.conftest import signed_in
from tests.factories import TemplateProgramFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def template(therapist_a):
    library_load()
    return TemplateProgramFactory(clinic=therapist_a.clinic, created_by=therapist_a)


def _names(response):
    return [result.exercise.name for result in response.context["results"]]


def test_an_alias_finds_clam_4_in_the_builder(therapist_a, template):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/",
        {"q": "reverse clamshell with hip abduction and extension"},
        **HTMX,
    )

    assert response.status_code == 200
    assert _names(response) == ["Clam 4"]
    assert "1 exercise matches" in response.content.decode()


def test_every_exercise_is_listed_without_a_cut_off(therapist_a, template):
    response = signed_in(therapist_a).get(f"/programs/{template.public_id}/")

    total = Exercise.objects.filter(clinic=None).count()
    assert total > 20
    assert len(_names(response)) == total
    assert f"All {total} exercises in the library" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"muscle": "gluteus_maximus", "q": "squeeze"}, ["Gluteal squeeze"]),
        ({"equipment": "mini_band"}, ["Reverse clamshell with mini band"]),
        ({"band": "very_high", "q": "side plank"}, None),
    ],
)
def test_the_library_filters_work_in_the_builder(therapist_a, template, query, expected):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/", query, **HTMX
    )

    assert response.status_code == 200
    names = _names(response)
    if expected is not None:
        assert names == expected
    else:
        assert names
        assert all("Side plank" in name for name in names)


def test_a_bad_filter_is_a_400_saying_what_is_wrong(therapist_a, template):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/", {"band": "enormous"}, **HTMX
    )

    assert response.status_code == 400
    assert "is not a valid band" in response.content.decode()


def test_mvic_reads_the_same_in_the_builder_as_in_the_library(therapist_a, template):
    body = (
        signed_in(therapist_a)
        .get(f"/programs/{template.public_id}/exercises/", {"q": "Clam 4"}, **HTMX)
        .content.decode()
    )

    assert "76 %" in body
    assert "76.0" not in body


def test_no_search_lists_the_whole_library(therapist_a, template):
    response = signed_in(therapist_a).get(f"/programs/{template.public_id}/exercises/", **HTMX)

    assert response.status_code == 200
    assert len(_names(response)) == Exercise.objects.filter(clinic=None).count()


# htmx reads a trigger's "from:" selector up to the first space: a selector with a space must
# be wrapped in parentheses, or the rest is an unknown modifier (an htmx:syntax:error).
_TRIGGER_MODIFIERS = {
    "changed",
    "once",
    "consume",
    "delay",
    "throttle",
    "from",
    "target",
    "queue",
    "root",
    "threshold",
}


def _bad_trigger_tokens(html):
    bad = []
    for trigger in re.findall(r'hx-trigger="([^"]*)"', html):
        for spec in re.sub(r"\([^)]*\)", "()", trigger).split(","):
            modifiers = spec.split()[1:]
            bad += [m for m in modifiers if m.split(":")[0] not in _TRIGGER_MODIFIERS]
    return bad


def test_the_builder_search_triggers_parse_in_htmx(therapist_a, template):
    response = signed_in(therapist_a).get(f"/programs/{template.public_id}/")

    html = response.content.decode()
    assert "change from:(.search-more select)" in html
    assert _bad_trigger_tokens(html) == []


def test_the_two_muscles_mvic_read_as_one_line_without_a_space_before_the_semicolon(
    therapist_a, template
):
    body = (
        signed_in(therapist_a)
        .get(f"/programs/{template.public_id}/exercises/", {"q": "Clam 4"}, **HTMX)
        .content.decode()
    )
    text = re.sub(r"<[^>]+>", "", body)

    assert re.search(r"Gluteus medius 76 %\s*very high; maximus", text)
    assert not re.search(r"\s;", text)
