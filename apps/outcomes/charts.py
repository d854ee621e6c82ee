"""A trend as an inline SVG chart (drawn on the server: no script, nothing for the CSP to
block); the table beside it carries the same values for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.outcomes.selectors import Trend

WIDTH, HEIGHT, PAD = 600, 180, 28


@dataclass(frozen=True)
class Chart:
    points: str  # the polyline's "x,y x,y ..."
    dots: list[tuple[float, float, str]]
    baseline_y: float | None
    band: tuple[float, float] | None  # y of the band's top and its height
    low: int
    high: int
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def _y(value: Decimal, low: int, high: int) -> float:
    span = (high - low) or 1
    return round(HEIGHT - PAD - float(value - low) / span * (HEIGHT - 2 * PAD), 1)


def chart(trend: Trend) -> Chart:
    scale = next(s for s in trend.spec.scales if s.key == trend.scale_key)
    low, high = scale.low, scale.high
    scored = trend.scored
    step = (WIDTH - 2 * PAD) / max(len(scored) - 1, 1)
    dots = [
        (round(PAD + i * step, 1), _y(p.score, low, high), f"{p.submitted}: {p.score}")
        for i, p in enumerate(scored)
        if p.score is not None
    ]
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
    )
