"""Activation bands: a rough guide to how strongly an exercise recruits a muscle.

The bounds live on the clinic (``Clinic.band_moderate_from`` etc.) so a clinic can change them;
by default low is 0-20 %MVIC, moderate 21-40, high 41-60 and very high above 60. They are a
guide only: values from different studies are not directly comparable.

A band runs from just above the previous band's last whole number up to and including its own
(``Band.contains``), so a value with a decimal (a clinic's own study may report 60.5) lands in
the band its label names: "above 60 %" is very high, not high.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.clinics.models import Clinic

BAND_KEYS = ("low", "moderate", "high", "very_high")
EN_DASH = "\N{EN DASH}"
DEFAULT_BOUNDS = (21, 41, 61)


@dataclass(frozen=True)
class Band:
    """Values above ``low - 1`` up to ``high_before - 1`` included (from 0 for the first band;
    no upper bound when ``high_before`` is None): the numbers its ``range_label`` names."""

    key: str
    label: str
    low: int
    high_before: int | None

    def contains(self, value: Decimal) -> bool:
        above_start = value >= 0 if self.low == 0 else value > self.low - 1
        return above_start and (self.high_before is None or value <= self.high_before - 1)

    @property
    def range_label(self) -> str:
        if self.high_before is None:
            return f"above {self.low - 1} %"
        if self.low == 0:
            return f"0{EN_DASH}{self.high_before - 1} %"
        return f"{self.low}{EN_DASH}{self.high_before - 1} %"


def bands_for(clinic: Clinic | None) -> tuple[Band, ...]:
    """The four bands with the clinic's bounds (the defaults without a clinic)."""
    moderate, high, very_high = (
        (clinic.band_moderate_from, clinic.band_high_from, clinic.band_very_high_from)
        if clinic is not None
        else DEFAULT_BOUNDS
    )
    return (
        Band("low", "Low", 0, moderate),
        Band("moderate", "Moderate", moderate, high),
        Band("high", "High", high, very_high),
        Band("very_high", "Very high", very_high, None),
    )


def band_of(value: Decimal | None, bands: tuple[Band, ...]) -> Band | None:
    """The band a value falls in; None for a value that was not reported."""
    if value is None:
        return None
    return next((band for band in bands if band.contains(value)), None)
