"""The outcome measures page's report and time-log forms show their fields and messages as
every other form of the app does (templates/includes/field.html): a label per field, the
message in red under it and tied to it, the page opening on it. They were Django's bare
rendering: "Note for the referrer:" with the message as a bullet above the box."""

import pytest

from apps.outcomes.models import MonitoringSettings
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_note_too_long_is_shown_under_its_field_like_every_form(admin_a, patient_a):
    response = signed_in(admin_a).post(
        f"/patients/{patient_a.public_id}/outcomes/", {"save": "report", "note": "x" * 4001}
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert '<div class="field field-invalid">' in html
    assert '<label for="id_note">Note for the referrer</label>' in html
    assert '<div id="id_note_error"><p class="field-error" role="alert">' in html
    assert 'class="errorlist' not in html


def test_the_time_log_form_is_drawn_with_the_apps_fields(admin_a, patient_a):
    MonitoringSettings.objects.create(clinic=admin_a.clinic, enabled=True)

    html = signed_in(admin_a).get(f"/patients/{patient_a.public_id}/outcomes/").content.decode()

    assert '<label for="id_minutes">Minutes</label>' in html
    assert '<label for="id_on">Date</label>' in html
    assert "Date:" not in html
