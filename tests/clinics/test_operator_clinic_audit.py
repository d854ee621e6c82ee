"""Everything an operator saves of a clinic in Django admin is in that clinic's audit log,
naming the operator: a new clinic, a new name or joining date, as its settings already were.
Before, only the settings were recorded: a clinic could be added or renamed with no trace."""

from collections.abc import Iterator

import pytest
from django.dispatch import Signal

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.clinics.models import Clinic, User
from apps.clinics.signals import clinic_changed
from tests.clinics.test_operator_admin_checks import clinic_admin_form
from tests.conftest import signed_in
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


def _operator():
    return signed_in(User.objects.create_superuser("ops@example.org", "a long operator password"))


def _page(clinic: Clinic) -> str:
    return f"/ops/admin/clinics/clinic/{clinic.pk}/change/"


def _clinic_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_type="clinics.Clinic").order_by("sequence"))


def test_an_operators_new_clinic_is_in_its_own_audit_log():
    data = clinic_admin_form(Clinic(name=""), name="Lane Clinic", pain_alert_level=8)

    response = _operator().post("/ops/admin/clinics/clinic/add/", data)

    assert response.status_code == 302
    clinic = Clinic.objects.get()
    [entry] = _clinic_entries()
    assert (entry.action, entry.actor_label) == (Action.CREATE, "ops@example.org")
    assert (entry.clinic, entry.clinic_sequence) == (clinic, 1)
    assert entry.target_ref == str(clinic.public_id)
    # What differs from a new clinic's defaults, as a settings change says it.
    assert entry.detail == "name (none) \u2192 Lane Clinic; pain alert level 7 \u2192 8"
    assert audit_chain_verify().first_break is None
    body = signed_in(AdminFactory(clinic=clinic)).get("/audit/").content.decode()
    assert "Clinic \u00b7 Lane Clinic" in body


def test_an_operators_rename_of_a_clinic_is_in_its_audit_log(clinic_a, admin_a):
    response = _operator().post(_page(clinic_a), clinic_admin_form(clinic_a, name="Lane"))

    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic_a.pk).name == "Lane"
    [entry] = _clinic_entries()
    assert (entry.action, entry.actor_label, entry.clinic) == (
        Action.CHANGE,
        "ops@example.org",
        clinic_a,
    )
    assert entry.detail == "name Clinic A \u2192 Lane"
    body = signed_in(admin_a).get("/audit/").content.decode()
    assert "Name Clinic A \u2192 Lane" in body


def test_an_operators_change_of_the_joining_date_is_in_the_audit_log(clinic_a):
    data = clinic_admin_form(clinic_a, created_at_0="2025-01-02", created_at_1="08:30:00")

    _operator().post(_page(clinic_a), data)

    [entry] = _clinic_entries()
    assert entry.detail.startswith("created at ")
    assert entry.detail.endswith(" \u2192 2025-01-02 08:30 UTC")


def test_a_clinic_of_an_operator_who_is_also_clinic_staff_is_audited_in_that_clinic(
    clinic_a, clinic_b
):
    """The entry belongs to the clinic changed, not to the one the operator works in."""
    operator = AdminFactory(clinic=clinic_b, is_staff=True, is_superuser=True)

    signed_in(operator).post(_page(clinic_a), clinic_admin_form(clinic_a, name="Lane"))

    [entry] = _clinic_entries()
    assert (entry.clinic, entry.actor) == (clinic_a, operator)


@pytest.fixture
def failing_clinic_audit() -> Iterator[None]:
    """The step after the audit entry fails: the save must leave nothing behind."""

    def fail(**kwargs: object) -> None:
        raise RuntimeError("a later step of the save failed")

    signal: Signal = clinic_changed
    signal.connect(fail, dispatch_uid="test-fail-clinic-audit")
    yield
    signal.disconnect(dispatch_uid="test-fail-clinic-audit")


def test_a_failed_rename_or_addition_leaves_neither_change_nor_entry(
    clinic_a, failing_clinic_audit
):
    operator = _operator()

    with pytest.raises(RuntimeError):
        operator.post(_page(clinic_a), clinic_admin_form(clinic_a, name="Lane"))
    with pytest.raises(RuntimeError):
        operator.post("/ops/admin/clinics/clinic/add/", clinic_admin_form(Clinic(name="New")))

    assert list(Clinic.objects.values_list("name", flat=True)) == ["Clinic A"]
    assert _clinic_entries() == []
