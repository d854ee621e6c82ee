"""Template filters for the formats in ``apps.core.formats``: ``{{ value|mvic }}``,
``{{ share|percent }}`` and ``{{ day|day }}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from apps.core.formats import day_text, mvic_number, mvic_text, percent_text

register = template.Library()


@register.filter
def mvic(value: Decimal | float | int | None) -> str:
    return mvic_text(value)


@register.filter
def mvic_plain(value: Decimal | float | int) -> str:
    """The number alone, for places that print the unit themselves."""
    return mvic_number(value)


@register.filter
def percent(value: Decimal | float | int | None) -> str:
    """'57 %'; empty for no value (the template says what that means)."""
    return "" if value is None else percent_text(value)


@register.filter
def day(value: date | datetime | str | None) -> str:
    """A date, or an ISO date string (as stored in JSON), in the locale's format."""
    if isinstance(value, str):
        try:
            return day_text(date.fromisoformat(value))
        except ValueError:
            return value
    return day_text(value)
