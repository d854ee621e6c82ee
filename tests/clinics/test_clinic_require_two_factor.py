"""A clinic admin can require two-factor sign-in of all the clinic's staff: a clinic setting,
off by default, turned on only by an admin who has two-factor sign-in themself, audited, and
the settings page names the staff who have no authenticator app yet."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import Clinic, User
from apps.clinics.selectors import staff_without_two_factor
from apps.clinics.services import clinic_settings_update, clinic_update, totp_device_start
from tests.clinics.test_operator_admin_checks import clinic_admin_form
from tests.clinics.two_factor_helpers import paired, verified
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

OWN_FIRST = "Turn on two-factor sign-in for your own account first"


def _drawn(client) -> dict[str, str]:
    return drawn_form(client.get("/clinic/settings/").content.decode(), with_field="time_zone")


def _requires(clinic: Clinic) -> bool:
    return Clinic.objects.get(pk=clinic.pk).require_two_factor


def test_a_clinic_does_not_require_two_factor_until_an_admin_says_so(clinic_a):
    assert Clinic().require_two_factor is False
    assert _requires(clinic_a) is False


def test_an_admin_with_two_factor_turns_the_requirement_on_and_it_is_audited(admin_a, clinic_a):
    paired(admin_a)

    changed = clinic_settings_update(clinic=clinic_a, actor=admin_a, require_two_factor=True)

    assert changed is True
    assert _requires(clinic_a) is True
    entry = AuditEntry.objects.get(target_type="clinics.Clinic")
    assert (entry.action, entry.actor, entry.clinic) == (Action.CHANGE, admin_a, clinic_a)
    assert entry.detail == "require two-factor sign-in for all staff no → yes"


def test_an_admin_without_two_factor_is_refused_and_nothing_is_saved(admin_a, clinic_a):
    with pytest.raises(ValidationError) as refused:
        clinic_settings_update(
            clinic=clinic_a, actor=admin_a, require_two_factor=True, pain_alert_level=8
        )

    assert OWN_FIRST in refused.value.message_dict["require_two_factor"][0]
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.require_two_factor, clinic.pain_alert_level) == (False, 7)
    assert not AuditEntry.objects.filter(target_type="clinics.Clinic").exists()


def test_a_half_done_set_up_is_not_two_factor(admin_a, clinic_a):
    totp_device_start(user=admin_a)  # scanned, never confirmed with a code

    with pytest.raises(ValidationError):
        clinic_settings_update(clinic=clinic_a, actor=admin_a, require_two_factor=True)


def test_turning_the_requirement_off_needs_no_two_factor(admin_a, clinic_a):
    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=True)

    assert clinic_settings_update(clinic=clinic_a, actor=admin_a, require_two_factor=False)
    assert _requires(clinic_a) is False


def test_an_operator_sets_it_in_django_admin_without_being_clinic_staff(clinic_a):
    # An operator belongs to no clinic: the requirement never applies to them, so they may
    # turn it on (or off, for a clinic that asks) without an authenticator app.
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")

    assert clinic_update(clinic=clinic_a, actor=operator, require_two_factor=True)
    assert _requires(clinic_a) is True


def test_an_operator_turns_it_on_from_the_django_admin_form(clinic_a):
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    data = clinic_admin_form(clinic_a, require_two_factor="on")

    response = signed_in(operator).post(f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/", data)

    assert response.status_code == 302
    assert _requires(clinic_a) is True
    entry = AuditEntry.objects.get(target_type="clinics.Clinic")
    assert entry.detail == "require two-factor sign-in for all staff no → yes"


def test_staff_without_two_factor_are_the_active_ones_without_a_confirmed_app(
    admin_a, therapist_a, clinic_a, therapist_b
):
    paired(admin_a)
    half_done = StaffFactory(clinic=clinic_a, full_name="Ann Half")
    totp_device_start(user=half_done)
    StaffFactory(clinic=clinic_a, full_name="Gone Away", is_active=False)

    missing = staff_without_two_factor(clinic=clinic_a)

    assert [person.full_name for person in missing] == ["Ann Half", therapist_a.full_name]


# --- The clinic settings page -----------------------------------------------------------------


def test_the_page_offers_the_requirement_and_names_staff_without_an_app(admin_a, therapist_a):
    therapist_a.full_name = "Dana Hill"
    therapist_a.save(update_fields=["full_name"])

    page = signed_in(admin_a).get("/clinic/settings/").content.decode()

    assert "Require two-factor sign-in for all staff" in page
    assert 'name="require_two_factor"' in page
    assert "2 staff have no authenticator app yet" in page
    assert "Dana Hill" in page
    assert admin_a.full_name in page


def test_the_page_says_when_every_colleague_has_an_app(admin_a, therapist_a):
    paired(therapist_a)

    page = verified(admin_a).get("/clinic/settings/").content.decode()

    assert "Every active member of staff has an authenticator app." in page


def test_an_admin_with_two_factor_ticks_the_box_on_the_page(admin_a, clinic_a):
    client = verified(admin_a)
    data = _drawn(client)

    response = client.post("/clinic/settings/", data | {"require_two_factor": "on"})

    assert response.status_code == 302
    assert _requires(clinic_a) is True


def test_an_admin_without_two_factor_is_told_on_the_field_with_a_400(admin_a, clinic_a):
    client = signed_in(admin_a)
    data = _drawn(client)

    response = client.post("/clinic/settings/", data | {"require_two_factor": "on"})

    assert response.status_code == 400
    assert OWN_FIRST in response.context["form"].errors["require_two_factor"][0]
    assert _requires(clinic_a) is False


def test_a_page_drawn_before_the_setting_existed_does_not_turn_it_off(admin_a, clinic_a):
    # A page drawn by the release before sends no box and no drawn value: an unticked box
    # sends nothing either, so the missing box must not read as "off".
    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=True)
    client = verified(admin_a)
    data = _drawn(client)
    old_page = {k: v for k, v in data.items() if not k.endswith("require_two_factor")}

    response = client.post("/clinic/settings/", old_page | {"pain_alert_level": "8"})

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.require_two_factor, clinic.pain_alert_level) == (True, 8)


def test_a_therapist_cannot_reach_the_setting(therapist_a, clinic_a):
    paired(therapist_a)

    response = signed_in(therapist_a).post("/clinic/settings/", {"require_two_factor": "on"})

    assert response.status_code == 403
    assert _requires(clinic_a) is False
