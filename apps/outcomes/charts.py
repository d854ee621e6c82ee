"""A trend as an inline SVG chart (drawn on the server: no script, nothing for the CSP to
block); the table beside it carries the same values for screen readers.

The chart carries its scale, so a value can be read off it: the scale's lowest, middle and
highest score on the left with a faint line across, and the first and last date under the
line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.core.formats import day_text
from apps.outcomes.selectors import Trend

WIDTH, HEIGHT = 600, 200
# The plot's margins: room on the left for "100" and on the bottom for a date.
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 36


@dataclass(frozen=True)
class Chart:
    points: str  # the polyline's "x,y x,y ..."
    dots: list[tuple[float, float, str]]
    baseline_y: float | None
    band: tuple[float, float] | None  # y of the band's top and its height
    low: int
    high: int
    ticks: list[tuple[float, str]]  # y and score of each mark on the scale, top first
    dates: list[tuple[float, str, str]]  # x, date and text-anchor under the line
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT  # where the plot ends
    bottom: int = HEIGHT - BOTTOM  # the plot's lowest y

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def date_y(self) -> int:
        return self.bottom + 22

    @property
    def tick_x(self) -> int:
        return self.left - 6


def _y(value: Decimal | int, low: int, high: int) -> float:
    span = (high - low) or 1
    return round(HEIGHT - BOTTOM - float(value - low) / span * (HEIGHT - TOP - BOTTOM), 1)


def _ticks(low: int, high: int) -> list[tuple[float, str]]:
    middle = (low + high) // 2
    return [(_y(value, low, high), str(value)) for value in (high, middle, low)]


def chart(trend: Trend) -> Chart:
    scale = next(s for s in trend.spec.scales if s.key == trend.scale_key)
    low, high = scale.low, scale.high
    scored = trend.scored
    # Placed by date, not by order: answers three weeks apart must not look like answers a day
    # apart (the dates under the line are only the first and the last).
    first = min((p.submitted for p in scored), default=None)
    last = max((p.submitted for p in scored), default=None)
    days = (last - first).days if first is not None and last is not None else 0
    per_day = (WIDTH - LEFT - RIGHT) / (days or 1)
    dots = [
        (
            round(LEFT + (p.submitted - first).days * per_day, 1),
            _y(p.score, low, high),
            f"{day_text(p.submitted)}: {p.score}",
        )
        for p in scored
        if p.score is not None and first is not None
    ]
    dates = [(dots[0][0], day_text(scored[0].submitted), "start")] if dots else []
    if len(dots) > 1:
        dates.append((dots[-1][0], day_text(scored[-1].submitted), "end"))
    band = trend.band
    band_box = None
    if band is not None:
        top, bottom = _y(band[1], low, high), _y(band[0], low, high)
        band_box = (top, round(bottom - top, 1))
    baseline = trend.baseline
    return Chart(
        points=" ".join(f"{x},{y}" for x, y, _ in dots),
        dots=dots,
        baseline_y=_y(baseline, low, high) if baseline is not None else None,
        band=band_box,
        low=low,
        high=high,
        ticks=_ticks(low, high),
        dates=dates,
    )
