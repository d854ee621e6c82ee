"""The activation bands' defaults (CLINICAL.md, Terms): low 0-20 %MVIC, moderate 21-40, high
41-60, very high above 60. The library (``apps.exercises.bands``) and the program builder
(``apps.programs.builder.band``, which asks the library) name each edge's band alike."""

from decimal import Decimal

import pytest

from apps.exercises.bands import band_of, bands_for
from apps.programs.builder import band as builder_band
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db

EN_DASH = "\N{EN DASH}"


def test_a_new_clinics_bands_are_low_0_20_moderate_21_40_high_41_60_very_high_above_60():
    bands = bands_for(ClinicFactory())

    assert [(band.label, band.range_label) for band in bands] == [
        ("Low", f"0{EN_DASH}20 %"),
        ("Moderate", f"21{EN_DASH}40 %"),
        ("High", f"41{EN_DASH}60 %"),
        ("Very high", "above 60 %"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "Low"), (20, "Low"),
        (21, "Moderate"), (40, "Moderate"),
        (41, "High"), (60, "High"),
        (61, "Very high"), (103, "Very high"),
    ],
)  # fmt: skip
def test_library_and_builder_put_each_edge_in_the_same_default_band(value, expected):
    clinic = ClinicFactory()

    found = band_of(Decimal(value), bands_for(clinic))

    assert found is not None
    assert found.label == expected
    assert builder_band(Decimal(value), clinic) == expected.lower()


def test_a_value_that_was_not_reported_has_no_band():
    clinic = ClinicFactory()

    assert band_of(None, bands_for(clinic)) is None
    assert builder_band(None, clinic) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", "Low"), ("20.0", "Low"),
        ("20.5", "Moderate"), ("40.0", "Moderate"),
        ("40.5", "High"), ("60.0", "High"),
        ("60.5", "Very high"),
    ],
)  # fmt: skip
def test_a_value_with_a_decimal_lands_in_the_band_its_label_names(value, expected):
    """The very high band reads "above 60 %": 60.5 is very high, not high; so at each edge."""
    clinic = ClinicFactory()

    found = band_of(Decimal(value), bands_for(clinic))

    assert found is not None
    assert found.label == expected
    assert builder_band(Decimal(value), clinic) == expected.lower()
