"""The clinic's default times pass Django's checks at any time of day: a fixed time default
made ``manage.py check --deploy`` warn (fields.W161) within 10 seconds of 08:00, 18:00 and
21:00, and the deploy-check test fail when the suite happened to run then."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from apps.clinics.models import Clinic

FIELDS = {
    "default_reminder_time": time(18),
    "quiet_hours_start": time(21),
    "quiet_hours_end": time(8),
}


@pytest.mark.parametrize(("name", "default"), FIELDS.items())
def test_no_field_warning_at_the_very_time_of_its_default(name, default):
    field = Clinic._meta.get_field(name)
    assert field.get_default() == default
    at = datetime.combine(date(2026, 3, 2), default, tzinfo=ZoneInfo(settings.TIME_ZONE))

    with time_machine.travel(at, tick=False):
        warnings = [message.id for message in field.check()]

    assert warnings == []
