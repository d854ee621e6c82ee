"""The integer ratio and percentage equal the Decimal rule they replace (ratio rounded half up
to four places, then to a whole percent), for any counts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from apps.programs.adherence import RATIO_PLACES, percent, ratio, ratio_units


def _decimal_percent(completed: int, prescribed: int) -> int:
    value = (Decimal(completed) / Decimal(prescribed)).quantize(RATIO_PLACES, ROUND_HALF_UP)
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_the_integer_rounding_equals_the_decimal_one(completed, prescribed):
    assert percent(completed, prescribed) == _decimal_percent(completed, prescribed)
    assert Decimal(ratio_units(completed, prescribed)) / 10000 == ratio(completed, prescribed)


def test_the_half_cases_round_up_and_nothing_prescribed_has_no_value():
    assert percent(1, 8) == 13  # 0.125 -> 12.5% -> 13%
    assert percent(1, 200) == 1  # 0.005 -> 0.5% -> 1%
    assert percent(3, 8) == 38
    assert percent(0, 0) is None
    assert ratio_units(5, 0) is None
