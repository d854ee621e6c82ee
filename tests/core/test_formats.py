"""One formatter for %MVIC, one for percentages and one for dates on pages and in PDFs (issue
20, items 4 and 6)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from apps.core.formats import day_text, decimal_text, mvic_number, mvic_text, percent_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("47.0"), "47 %"),
        (Decimal("47"), "47 %"),
        (Decimal("62.5"), "62.5 %"),
        (Decimal("103.00"), "103 %"),
        (76, "76 %"),
        (67.04, "67 %"),
        (None, "not reported"),
    ],
)
def test_mvic_text_drops_a_trailing_zero_and_never_shows_zero_for_missing(value, expected):
    assert mvic_text(value) == expected


def test_mvic_text_can_name_the_unit():
    assert mvic_text(Decimal("47.0"), unit="%MVIC") == "47 %MVIC"


def test_the_template_filter_is_the_same_formatter():
    rendered = Template("{% load clamshell_format %}{{ a|mvic }}|{{ b|mvic }}|{{ c|mvic_plain }}")
    text = rendered.render(Context({"a": Decimal("47.0"), "b": None, "c": Decimal("62.50")}))

    assert text == "47 %|not reported|62.5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (57, "57 %"),
        (0, "0 %"),
        (100, "100 %"),
        (Decimal("40.6"), "40.6 %"),
        (Decimal("40.0"), "40 %"),
        (Decimal("34.55"), "34.6 %"),
        (12.5, "12.5 %"),
    ],
)
def test_a_percentage_reads_as_mvic_does(value, expected):
    """Adherence, a report's progress, a threshold: "57 %" everywhere, never "57%" on one page
    and "40.6 %" on another."""
    assert percent_text(value) == expected


def test_the_percent_filter_is_the_same_formatter_and_leaves_no_value_empty():
    rendered = Template("{% load clamshell_format %}{{ a|percent }}|{{ b|percent }}|")
    text = rendered.render(Context({"a": Decimal("40.60"), "b": None}))

    assert text == "40.6 %||"


def test_mvic_number_rounds_to_one_place():
    assert mvic_number(Decimal("88.96")) == "89"


@pytest.mark.parametrize(
    ("language", "expected"), [("en-gb", "3 Nov 2026"), ("en-us", "Nov. 3, 2026")]
)
def test_dates_follow_the_locale(language, expected):
    with translation.override(language):
        assert day_text(date(2026, 11, 3)) == expected


def test_no_date_is_empty_and_datetimes_read_as_their_day():
    with translation.override("en-gb"):
        assert day_text(None) == ""
        assert day_text(datetime(2026, 11, 3, 12, tzinfo=UTC)) == "3 Nov 2026"


def test_pages_declare_the_installations_language(client, settings):
    settings.LANGUAGE_CODE = "en-gb"

    body = client.get("/sign-in/").content.decode()

    assert '<html lang="en-gb">' in body


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (4.0, 1, "4.0"),
        (Decimal("3.7"), 1, "3.7"),
        (-0.30000000000000004, 1, "-0.3"),
        (6.0, 0, "6"),
        (Decimal("-2"), 0, "-2"),
    ],
)
def test_a_score_keeps_the_places_of_its_scale(value, places, expected):
    # A PSFS mean reads "4.0" beside "3.7", as on the page; a whole NPRS rating "6".
    assert decimal_text(value, places=places) == expected


def test_a_whole_number_reads_as_its_decimal_does():
    for value in [*range(-120, 1001), 10**6, -(10**6)]:
        assert mvic_number(value) == mvic_number(Decimal(value)), value
        assert percent_text(value) == percent_text(Decimal(value)), value
