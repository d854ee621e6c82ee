"""The builder searches like the library and shows every match (issue 20, item 5)."""

import re

import pytest

from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from tests.conftest import signed_in
from tests.exercises.factories import ClinicEvidenceFactory, ClinicExerciseFactory
from tests.factories import TemplateProgramFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
QUERIES = 5


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


# Sorting: the builder offers the library's own "Sort by" (apps/exercises/selectors.ORDERINGS),
# read by the same form and ordered by the same selector, so both lists come out alike.
SEARCH_ORDERINGS = ["name", "-name", "-gluteus_medius", "gluteus_medius",
                    "-gluteus_maximus", "gluteus_maximus"]  # fmt: skip


def _library_names(client, ordering):
    html = client.get("/library/", {"ordering": ordering}).content.decode()
    return re.findall(r'class="exercise-link" href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize("ordering", SEARCH_ORDERINGS)
def test_each_sort_orders_the_builder_search_as_the_library_does(therapist_a, template, ordering):
    client = signed_in(therapist_a)
    response = client.get(
        f"/programs/{template.public_id}/exercises/", {"ordering": ordering}, **HTMX
    )

    assert response.status_code == 200
    assert _names(response) == _library_names(client, ordering)


@pytest.mark.parametrize(
    ("ordering", "first"),
    [
        ("-gluteus_medius", "Side plank with hip abduction (dominant leg bottom)"),
        ("-gluteus_maximus", "Front plank with hip extension"),
        ("name", "Clam"),
        ("-name", "Wall-tap hip hinge"),
    ],
)
def test_the_page_without_javascript_sorts_the_results_too(therapist_a, template, ordering, first):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/", {"ordering": ordering}
    )

    assert response.status_code == 200
    assert _names(response)[0] == first
    assert f'<option value="{ordering}" selected>' in response.content.decode()


def test_exercises_without_a_value_come_last_highest_first_or_lowest_first(therapist_a, template):
    client = signed_in(therapist_a)
    url = f"/programs/{template.public_id}/exercises/"
    for ordering in ("-gluteus_medius", "gluteus_medius"):
        results = client.get(url, {"ordering": ordering}, **HTMX).context["results"]
        reported = [result.medius.value is not None for result in results]
        assert reported == sorted(reported, reverse=True)
        values = [result.medius.value for result in results if result.medius.value is not None]
        assert values == sorted(values, reverse=ordering.startswith("-"))


def test_the_default_order_is_still_by_name_a_to_z(therapist_a, template):
    client = signed_in(therapist_a)
    names = _names(client.get(f"/programs/{template.public_id}/exercises/", **HTMX))

    assert names == sorted(names, key=str.lower)
    assert names == _names(
        client.get(f"/programs/{template.public_id}/exercises/", {"ordering": "name"}, **HTMX)
    )


def test_the_builder_offers_the_librarys_sort_with_its_label_and_caveat(therapist_a, template):
    html = signed_in(therapist_a).get(f"/programs/{template.public_id}/").content.decode()

    assert '<label for="id_search_ordering">Sort by</label>' in html
    select = re.search(r'<select name="ordering"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    assert 'id="id_search_ordering"' in select.group(0)
    assert 'aria-describedby="id_search_ordering_helptext"' in select.group(0)
    assert re.findall(r'<option value="([^"]*)"', select.group(1)) == SEARCH_ORDERINGS
    assert "Gluteus medius: high to low" in select.group(1)
    assert "change from:#id_search_ordering" in html
    help_text = re.search(r'<p class="help" id="id_search_ordering_helptext">([^<]*)</p>', html)
    assert help_text is not None
    assert "Values from different studies are not directly comparable" in help_text.group(1)


def test_sorting_alone_still_lists_the_whole_library_and_names_the_order(therapist_a, template):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/", {"ordering": "-gluteus_maximus"}, **HTMX
    )

    total = Exercise.objects.filter(clinic=None).count()
    body = re.sub(r"\s+", " ", response.content.decode())
    assert f"All {total} exercises in the library, sorted by Gluteus maximus: high to low." in body


def test_a_search_names_its_order(therapist_a, template):
    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/", {"q": "Clam 4"}, **HTMX
    )

    assert "1 exercise matches, sorted by Name, A to Z." in response.content.decode()


@pytest.mark.parametrize("htmx", [HTMX, {}])
def test_an_unknown_sort_is_a_400_as_in_the_library(therapist_a, template, htmx):
    url = f"/programs/{template.public_id}/" + ("exercises/" if htmx else "")
    response = signed_in(therapist_a).get(url, {"ordering": "bogus"}, **htmx)

    assert response.status_code == 400
    assert "“bogus” is not a valid ordering; use one of: name, -name," in response.content.decode()
    assert response.context["results"] == []


def test_a_sorted_search_takes_a_fixed_number_of_queries(
    therapist_a, template, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    url = f"/programs/{template.public_id}/exercises/"
    client.get(url, **HTMX)  # warm the session
    for _ in range(30):
        ClinicEvidenceFactory(exercise=ClinicExerciseFactory(clinic=therapist_a.clinic))

    for ordering in SEARCH_ORDERINGS:
        # The library's two (exercises, evidence), the hip precautions, the ladders running,
        # the clinic's photos, and the session, user and staff menu's reads.
        with django_assert_max_num_queries(QUERIES):
            response = client.get(url, {"ordering": ordering, "band": "high"}, **HTMX)
        assert response.status_code == 200


# Opened directly (no HX-Request: a new tab, a bookmark), the search is the builder's page.


def test_the_search_opened_directly_in_the_browser_leads_to_the_builder_with_it(
    therapist_a, template
):
    client = signed_in(therapist_a)
    url = f"/programs/{template.public_id}/exercises/"

    opened = client.get(url, {"q": "Clam 4", "ordering": "name"})
    page = client.get(opened["Location"])

    builder = f"/programs/{template.public_id}/"
    assert opened.status_code == 302
    assert opened["Location"] == f"{builder}?q=Clam+4&ordering=name#search-results"
    assert page.status_code == 200
    assert "<title>" in page.content.decode()
    assert _names(page) == ["Clam 4"]


def test_the_search_opened_directly_with_nothing_asked_leads_to_the_builder(therapist_a, template):
    opened = signed_in(therapist_a).get(f"/programs/{template.public_id}/exercises/")

    assert opened["Location"] == f"/programs/{template.public_id}/#search-results"


def test_another_clinics_program_search_is_a_404_opened_directly_or_by_htmx(therapist_b, template):
    client = signed_in(therapist_b)
    url = f"/programs/{template.public_id}/exercises/"

    assert client.get(url, {"q": "Clam 4"}).status_code == 404
    assert client.get(url, {"q": "Clam 4"}, **HTMX).status_code == 404


def test_a_patient_is_refused_the_search_opened_directly(patient_a, template):
    response = signed_in(patient_a.user).get(f"/programs/{template.public_id}/exercises/")

    assert response.status_code == 403
