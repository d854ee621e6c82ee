"""The clinic settings page saves only what the admin changed from what it showed them: a
colleague's change saved while the page was open is kept, and a page sent back unchanged
writes nothing."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.clinics.models import Clinic
from apps.clinics.services import clinic_settings_update
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("clinics:settings")


def _drawn(client) -> dict[str, str]:
    return drawn_form(client.get(PAGE).content.decode(), with_field="pain_alert_level")


def test_a_colleagues_change_saved_while_the_page_was_open_is_kept(admin_a):
    client = signed_in(admin_a)
    sent = _drawn(client)
    clinic_settings_update(clinic=admin_a.clinic, actor=admin_a, pain_alert_level=8)

    response = client.post(PAGE, sent | {"default_reminder_time": "09:15"})

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=admin_a.clinic_id)
    assert (clinic.pain_alert_level, clinic.default_reminder_time) == (8, time(9, 15))


def test_the_page_sent_back_unchanged_saves_nothing_and_says_so(admin_a):
    client = signed_in(admin_a)
    sent = _drawn(client)

    response = client.post(PAGE, sent, follow=True)

    assert "Nothing to save: no setting was changed." in response.content.decode()
    assert not AuditEntry.objects.filter(target_type="clinics.Clinic").exists()


def test_a_refused_save_keeps_what_the_page_first_showed(admin_a):
    client = signed_in(admin_a)
    sent = _drawn(client)
    refused = client.post(PAGE, sent | {"pain_progression_limit": "9"})
    assert refused.status_code == 400
    clinic_settings_update(clinic=admin_a.clinic, actor=admin_a, pain_alert_level=8)

    again = drawn_form(refused.content.decode(), with_field="pain_alert_level")
    client.post(PAGE, again | {"pain_progression_limit": "6"})

    clinic = Clinic.objects.get(pk=admin_a.clinic_id)
    assert (clinic.pain_progression_limit, clinic.pain_alert_level) == (6, 8)


def test_a_change_a_colleague_already_saved_says_nothing_was_saved(admin_a):
    client = signed_in(admin_a)
    sent = _drawn(client)
    colleague = AdminFactory(clinic=admin_a.clinic)
    clinic_settings_update(clinic=admin_a.clinic, actor=colleague, pain_alert_level=8)

    response = client.post(PAGE, sent | {"pain_alert_level": "8"}, follow=True)

    body = response.content.decode()
    assert "Nothing to save: these settings were already saved." in body
    assert "Clinic settings saved." not in body
    assert not AuditEntry.objects.filter(actor=admin_a).exists()
