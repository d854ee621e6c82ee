"""The trend charts carry their scale: the scale's lowest, middle and highest score on the
left, the first and last date under the line, so a value can be read off the chart itself
(the table under it gives every value for a screen reader)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from apps.outcomes.charts import chart
from apps.outcomes.instruments import GROC, HOOS12, NPRS, Instrument
from apps.outcomes.selectors import Point, Trend


def _trend(
    spec: Instrument, scale_key: str, *scores: str,
    days: tuple[date, ...] = (date(2026, 11, 2), date(2026, 11, 16)),
) -> Trend:  # fmt: skip
    points = [
        Point(day, day, Decimal(score), str(n))
        for n, (day, score) in enumerate(zip(days, scores, strict=True))
    ]
    label = next(s.label for s in spec.scales if s.key == scale_key)
    return Trend(spec, scale_key, label, points)


def test_the_scale_is_marked_at_its_lowest_middle_and_highest_score() -> None:
    drawn = chart(_trend(NPRS, "pain", "6", "4"))

    assert [label for _, label in drawn.ticks] == ["10", "5", "0"]
    top, middle, bottom = (y for y, _ in drawn.ticks)
    assert top < middle < bottom, "higher scores are drawn higher"
    assert middle == (top + bottom) / 2
    # A dot sits at its value on that scale: 6 is 60 % of the way up from 0 to 10.
    assert drawn.dots[0][1] == round(bottom - (bottom - top) * 0.6, 1)


def test_each_scale_is_marked_with_its_own_range() -> None:
    assert [label for _, label in chart(_trend(GROC, "change", "2", "5")).ticks] == [
        "7", "0", "-7"
    ]  # fmt: skip
    assert [label for _, label in chart(_trend(HOOS12, "qol", "50.0", "62.5")).ticks] == [
        "100", "50", "0"
    ]  # fmt: skip


def test_the_first_and_last_dates_are_written_under_the_line(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en-gb"
    days = (date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 30))

    drawn = chart(_trend(NPRS, "pain", "6", "5", "4", days=days))

    assert [label for _, label, _ in drawn.dates] == ["2 Nov 2026", "30 Nov 2026"]
    (first_x, _, first_anchor), (last_x, _, last_anchor) = drawn.dates
    assert first_x == drawn.dots[0][0]
    assert first_anchor == "start"
    assert last_x == drawn.dots[-1][0]
    assert last_anchor == "end"


def test_answers_are_placed_by_their_date_not_by_their_order() -> None:
    # Two weeks, then one day: the second answer sits 14/15 of the way along, not halfway.
    days = (date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 17))

    drawn = chart(_trend(NPRS, "pain", "6", "5", "4", days=days))

    xs = [x for x, _, _ in drawn.dots]
    assert xs[0] == drawn.left
    assert xs[2] == drawn.right
    assert xs[1] == round(drawn.left + drawn.plot_width * 14 / 15, 1)


def test_one_answer_has_one_date() -> None:
    drawn = chart(_trend(NPRS, "pain", "6", days=(date(2026, 11, 2),)))
    assert [label for _, label, _ in drawn.dates] == ["2 Nov 2026"]


def test_the_drawn_chart_writes_its_scale_and_dates_and_keeps_its_table(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en-gb"
    trend = _trend(NPRS, "pain", "6", "4")

    html = render_to_string("outcomes/_trends.html", {"trends": [(trend, chart(trend))]})

    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    texts = [part.split(">", 1)[1].split("<", 1)[0] for part in svg.split("<text")[1:]]
    assert texts == ["10", "5", "0", "2 Nov 2026", "16 Nov 2026"]
    assert 'role="img"' in svg
    assert "on a scale of 0 to 10; the values are in the table below" in svg
    table = html.split("</svg>", 1)[1]
    assert "<td>2 Nov 2026</td><td>6</td>" in table
    assert "<td>16 Nov 2026</td><td>4</td>" in table
