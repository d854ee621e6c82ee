"""Operators' edits in Django admin are checked as the clinic's own pages check them: a
clinic's settings by the rules of the clinic settings page (``clinic_settings_validate``), a
person's name by the one-line rule. Before, the admin saved whatever passed the model's field
types: a hold-back level at or above the alert level, a reminder time inside the quiet hours
(no patient without their own time was ever reminded), an unknown time zone. A change they
save is in the clinic's audit log, as a clinic admin's is."""

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.clinics.models import Clinic, User
from apps.core.text import ONE_LINE_MESSAGE
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

OPERATOR_PASSWORD = "a long operator password"


def _operator():
    return signed_in(User.objects.create_superuser("ops@example.org", OPERATOR_PASSWORD))


def clinic_admin_form(clinic, **changes):
    """Django admin's change form of ``clinic`` as the operator sends it, with ``changes``."""
    joined = timezone.localtime(clinic.created_at)
    shown = {
        "name": clinic.name, "time_zone": clinic.time_zone,
        "pain_progression_limit": 5, "pain_alert_level": 7, "phone": "",
        "default_reminder_time": "18:00", "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00", "reminder_grace_minutes": 120,
        "band_moderate_from": 21, "band_high_from": 41, "band_very_high_from": 61,
        "health_details_in_staff_emails": "on",
        "created_at_0": f"{joined:%Y-%m-%d}", "created_at_1": f"{joined:%H:%M:%S}",
    }  # fmt: skip
    # The admin also sends, hidden, what it showed of each field whose default is computed
    # (the times, the joining date), and takes the field as changed only when they differ.
    computed = ("default_reminder_time", "quiet_hours_start", "quiet_hours_end", "created_at_0",
                "created_at_1")  # fmt: skip
    return shown | {f"initial-{name}": shown[name] for name in computed} | changes


REFUSED_SETTINGS = [
    ({"pain_progression_limit": 7}, "The hold-back level must be below the alert level (7)"),
    ({"band_high_from": 20}, "The high band must start above the moderate band (21 %)."),
    ({"default_reminder_time": "22:30"}, "The reminder time falls inside the quiet hours"),
    ({"reminder_grace_minutes": 5}, "Choose a grace period from 15 to 720 minutes"),
    ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
    ({"phone": "call reception"}, "Write the phone number with digits"),
]


@pytest.mark.parametrize(("change", "message"), REFUSED_SETTINGS)
def test_an_operator_cannot_save_settings_the_clinic_settings_page_refuses(
    clinic_a, change, message
):
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"

    response = _operator().post(page, clinic_admin_form(clinic_a, **change))

    assert response.status_code == 200  # the form again, with the message on its field
    assert message in response.content.decode().replace("&#x27;", "'")
    saved = Clinic.objects.get(pk=clinic_a.pk)
    field = next(iter(change))
    assert getattr(saved, field) == getattr(clinic_a, field)


def test_an_operator_is_told_how_to_write_a_time_zone_not_to_choose_from_a_list(clinic_a):
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"

    response = _operator().post(page, clinic_admin_form(clinic_a, time_zone="europe/london"))

    text = response.content.decode()
    assert "\u201ceurope/london\u201d is not a time zone we know. Write its IANA name" in text
    assert "for example Europe/London or America/New_York." in text
    assert "from the list" not in text


def test_an_operator_cannot_add_a_clinic_with_settings_the_page_refuses():
    data = clinic_admin_form(Clinic(name="New clinic"), pain_progression_limit=8)

    response = _operator().post("/ops/admin/clinics/clinic/add/", data)

    assert response.status_code == 200
    assert "The hold-back level must be below the alert level" in response.content.decode()
    assert not Clinic.objects.exists()


def test_an_operator_saves_settings_the_page_accepts(clinic_a):
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"
    change = {"pain_progression_limit": 4, "pain_alert_level": 8, "phone": " 01632 960 000 "}

    response = _operator().post(page, clinic_admin_form(clinic_a, **change))

    assert response.status_code == 302
    saved = Clinic.objects.get(pk=clinic_a.pk)
    assert (saved.pain_progression_limit, saved.pain_alert_level) == (4, 8)
    assert saved.phone == "01632 960 000"


def test_an_operators_settings_change_is_in_the_clinics_audit_log(clinic_a, admin_a):
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"

    response = _operator().post(page, clinic_admin_form(clinic_a, pain_alert_level=8, name="Lane"))

    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic_a.pk).name == "Lane"
    entry = AuditEntry.objects.get(target_type="clinics.Clinic")
    assert (entry.action, entry.actor_label) == ("change", "ops@example.org")
    assert entry.detail == "name Clinic A \u2192 Lane; pain alert level 7 \u2192 8"
    assert (entry.clinic, entry.clinic_sequence) == (clinic_a, 1)
    assert audit_chain_verify().first_break is None
    admins = signed_in(admin_a)
    body = admins.get("/audit/").content.decode()
    assert "Name Clinic A \u2192 Lane; pain alert level 7 \u2192 8" in body
    csv = b"".join(admins.get("/audit/export.csv").streaming_content).decode()
    assert "ops@example.org,change,,clinics.Clinic" in csv


def test_an_operator_saving_a_clinic_unchanged_writes_no_audit_entry(clinic_a):
    page = f"/ops/admin/clinics/clinic/{clinic_a.pk}/change/"
    operator = _operator()
    drawn = drawn_form(operator.get(page).content.decode(), with_field="pain_alert_level")

    response = operator.post(page, drawn)

    assert response.status_code == 302
    assert not AuditEntry.objects.filter(target_type="clinics.Clinic").exists()


def _staff_form(staff, **changes):
    """Django admin's change form of ``staff`` as the operator sends it, with ``changes``."""
    return {
        "email": staff.email, "full_name": staff.full_name, "clinic": staff.clinic_id,
        "role": staff.role, "is_active": "on",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-03-01", "date_joined_1": "09:00:00",
        **changes,
    }  # fmt: skip


@pytest.mark.parametrize("name", ["Robin\nLane", "Robin\r\nLane", "Robin\tLane", "Robin\u2028Lane"])
def test_an_operator_cannot_give_a_staff_member_a_name_on_two_lines(name):
    staff = StaffFactory(full_name="Robin Lane")
    page = f"/ops/admin/clinics/user/{staff.pk}/change/"

    response = _operator().post(page, _staff_form(staff, full_name=name))

    assert response.status_code == 200
    assert ONE_LINE_MESSAGE in response.content.decode()
    assert User.objects.get(pk=staff.pk).full_name == "Robin Lane"


def test_an_operator_renames_a_staff_member_on_one_line():
    staff = StaffFactory(full_name="Robin Lane")
    page = f"/ops/admin/clinics/user/{staff.pk}/change/"

    response = _operator().post(page, _staff_form(staff, full_name="Robin O'Lane-Łukasz"))

    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(pk=staff.pk).full_name == "Robin O'Lane-Łukasz"
