"""How numbers and dates read on every page (staff and patient) and in every printed report.

One place for each, so "47 %" never shows as "47.0 %" or "47%" on another page. Machine
formats stay machine formats: CSV, spreadsheets and the API keep the plain number and the ISO
date.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format

NO_VALUE = "not reported"
UNIT_SPACE = " "


def mvic_number(value: Decimal | float | int) -> str:
    """A %MVIC figure as people write it: whole numbers without ".0" (47, not 47.0), others
    to one decimal place (62.5)."""
    if type(value) is int:  # a whole number as it is (a dashboard writes 400 percentages)
        return str(value)
    number = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"{number:f}".removesuffix(".0")


def mvic_text(value: Decimal | float | int | None, *, unit: str = "%") -> str:
    """'47 %', '62.5 %MVIC' with ``unit="%MVIC"``, or 'not reported' (never 0)."""
    if value is None:
        return NO_VALUE
    return f"{mvic_number(value)}{UNIT_SPACE}{unit}"


def percent_text(value: Decimal | float | int) -> str:
    """A percentage (adherence, a report's progress, a threshold) as a %MVIC figure reads:
    '57 %', '40.6 %', '40 %' for 40.0. Callers say what no value means ("nothing due")."""
    return f"{mvic_number(value)}{UNIT_SPACE}%"


def decimal_text(value: Decimal | float | int, *, places: int) -> str:
    """A score to a fixed number of decimal places, as its scale gives it: a mean scored to
    one place reads '4.0' and '-0.3' (never '4' beside '3.7'), a whole rating '6'."""
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"


def day_text(value: date | datetime | None) -> str:
    """A date in the installation's locale format (``LANGUAGE_CODE``): '3 Nov 2026' in
    en-gb, 'Nov. 3, 2026' in en-us. Empty for no date; files keep ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATE_FORMAT")
