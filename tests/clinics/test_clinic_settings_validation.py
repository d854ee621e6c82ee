"""Clinic settings are checked together, with messages in words (issue 20, item 1)."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from apps.clinics.models import Clinic
from apps.clinics.services import clinic_settings_update, time_zone_names
from tests.clinics.test_clinic_settings import VALID
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _errors(clinic, **values):
    with pytest.raises(ValidationError) as caught:
        clinic_settings_update(clinic=clinic, **values)
    return caught.value.message_dict


@pytest.mark.parametrize("hold_back", [7, 8])
def test_the_hold_back_level_at_or_above_the_alert_level_is_refused(clinic_a, hold_back):
    errors = _errors(clinic_a, pain_progression_limit=hold_back, pain_alert_level=7)

    assert errors["pain_progression_limit"][0].startswith(
        "The hold-back level must be below the alert level (7)"
    )
    clinic_a.refresh_from_db()
    assert clinic_a.pain_progression_limit == 5


def test_a_hold_back_level_just_below_the_alert_level_is_accepted(clinic_a):
    clinic_settings_update(clinic=clinic_a, pain_progression_limit=6, pain_alert_level=7)

    clinic_a.refresh_from_db()
    assert (clinic_a.pain_progression_limit, clinic_a.pain_alert_level) == (6, 7)


def test_bands_out_of_order_are_named_in_words_on_each_band(clinic_a):
    errors = _errors(clinic_a, band_moderate_from=30, band_high_from=30, band_very_high_from=20)

    assert errors["band_high_from"] == ["The high band must start above the moderate band (30 %)."]
    assert errors["band_very_high_from"] == [
        "The very high band must start above the high band (30 %)."
    ]


def test_a_reminder_time_inside_quiet_hours_is_refused(clinic_a):
    errors = _errors(
        clinic_a,
        default_reminder_time=time(22, 30),
        quiet_hours_start=time(21),
        quiet_hours_end=time(8),
    )

    assert "inside the quiet hours (21:00 to 08:00)" in errors["default_reminder_time"][0]


def test_equal_quiet_hours_mean_none_so_any_reminder_time_is_fine(clinic_a):
    clinic_settings_update(
        clinic=clinic_a,
        default_reminder_time=time(3),
        quiet_hours_start=time(0),
        quiet_hours_end=time(0),
    )

    clinic_a.refresh_from_db()
    assert clinic_a.default_reminder_time == time(3)


def test_an_unknown_time_zone_says_how_to_choose_one(clinic_a):
    errors = _errors(clinic_a, time_zone="Europe/Londn")

    assert errors["time_zone"] == [
        "“Europe/Londn” is not a time zone we know. Start typing a city or region "
        "(for example Europe/London) and choose it from the list."
    ]


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_a_file_of_the_zone_database_that_is_no_place_is_not_a_clinics_time_zone(clinic_a, name):
    # "localtime" follows the server's own clock setting: the clinic's day would move with it.
    errors = _errors(clinic_a, time_zone=name)

    assert errors["time_zone"][0].startswith(f"“{name}” is not a time zone we know.")
    clinic_a.refresh_from_db()
    assert clinic_a.time_zone != name


def test_the_time_zone_list_is_the_iana_list():
    names = time_zone_names()

    assert {"Europe/London", "America/New_York", "Australia/Sydney", "UTC"} <= names
    assert len(names) > 300


def test_the_page_never_shows_a_database_constraint(admin_a, clinic_a):
    response = signed_in(admin_a).post(
        "/clinic/settings/", VALID | {"band_high_from": 25, "band_very_high_from": 25}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "constraint" not in body.lower()
    assert "clinic_bands_ascending" not in body
    assert "The high band must start above the moderate band (25 %)." in body
    assert Clinic.objects.get(pk=clinic_a.pk).band_high_from == 41


def test_the_page_offers_the_time_zones_and_explains_each_setting(admin_a):
    body = signed_in(admin_a).get("/clinic/settings/").content.decode()

    assert '<datalist id="time-zones">' in body
    assert '<option value="Europe/London">' in body
    assert 'list="time-zones"' in body
    # CLINICAL.md: pain above the limit holds a progression prompt back; the prompt is still
    # raised (marked held back), so the page must not say there is none.
    assert "no progression prompt" not in body
    assert "holds that progression prompt back" in body
    assert "pain above the hold-back level" in body
    assert 'id="id_pain_alert_level_helptext"' in body


@pytest.mark.parametrize(
    ("minutes", "accepted"), [(14, False), (15, True), (720, True), (721, False)]
)
def test_the_service_holds_the_grace_period_between_15_minutes_and_12_hours(
    clinic_a, minutes, accepted
):
    if accepted:
        clinic_settings_update(clinic=clinic_a, reminder_grace_minutes=minutes)
        clinic_a.refresh_from_db()
        assert clinic_a.reminder_grace_minutes == minutes
        return
    errors = _errors(clinic_a, reminder_grace_minutes=minutes)
    assert errors["reminder_grace_minutes"] == [
        "Choose a grace period from 15 to 720 minutes (12 hours)."
    ]
    clinic_a.refresh_from_db()
    assert clinic_a.reminder_grace_minutes == 120
