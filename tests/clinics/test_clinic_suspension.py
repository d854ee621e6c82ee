"""An operator suspends a whole clinic in one step (Django admin, or ``clinic_suspend``) and
resumes it: each is in the clinic's audit log under the operator's name, in the same
transaction, and nothing of the clinic is changed or deleted but the two fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.dispatch import Signal

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.clinics.models import ApiToken, Clinic, User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.clinics.signals import clinic_changed
from apps.clinics.tokens import api_token_create
from tests.clinics.test_operator_admin_checks import clinic_admin_form
from tests.conftest import signed_in
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

NOW = "2026-12-07 06:00:00+00:00"


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", "a long operator password")


def _page(clinic: Clinic) -> str:
    return f"/ops/admin/clinics/clinic/{clinic.pk}/change/"


def _entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_type="clinics.Clinic").order_by("sequence"))


@time_machine.travel(NOW, tick=False)
def test_suspending_records_when_and_why_in_the_clinics_audit_log(clinic_a, operator):
    assert clinic_suspend(clinic=clinic_a, actor=operator, reason="  Stopped paying ") is True

    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert clinic.is_suspended
    assert (f"{clinic.suspended_at:%Y-%m-%d %H:%M}", clinic.suspension_reason) == (
        "2026-12-07 06:00",
        "Stopped paying",
    )
    [entry] = _entries()
    assert (entry.action, entry.actor, entry.clinic) == (Action.CHANGE, operator, clinic_a)
    assert entry.detail == (
        "suspended since (none) \u2192 2026-12-07 06:00 UTC; "
        "reason for suspension (none) \u2192 Stopped paying"
    )
    assert audit_chain_verify().first_break is None


def test_resuming_clears_both_and_is_audited_too(clinic_a, operator):
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Breach under investigation")

    assert clinic_resume(clinic=clinic_a, actor=operator) is True

    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.is_suspended, clinic.suspended_at, clinic.suspension_reason) == (False, None, "")
    last = _entries()[-1]
    assert last.detail.startswith("suspended since 20")
    assert last.detail.endswith("reason for suspension Breach under investigation \u2192 (none)")


def test_suspending_twice_or_resuming_an_open_clinic_changes_nothing(clinic_a, operator):
    assert clinic_resume(clinic=clinic_a, actor=operator) is False
    clinic_suspend(clinic=clinic_a, actor=operator, reason="First")

    assert clinic_suspend(clinic=clinic_a, actor=operator, reason="Second") is False

    assert Clinic.objects.get(pk=clinic_a.pk).suspension_reason == "First"
    assert len(_entries()) == 1


def test_a_suspension_takes_a_reason_in_words(clinic_a, operator):
    with pytest.raises(ValidationError) as refused:
        clinic_suspend(clinic=clinic_a, actor=operator, reason="  ")

    assert "Say why" in " ".join(refused.value.message_dict["reason"])
    assert Clinic.objects.get(pk=clinic_a.pk).suspended_at is None


def test_an_operator_who_works_at_the_clinic_cannot_suspend_it(clinic_a):
    """They would lock themselves out of Django admin with it (its staff are refused)."""
    own = AdminFactory(clinic=clinic_a, is_staff=True, is_superuser=True)

    with pytest.raises(ValidationError) as refused:
        clinic_suspend(clinic=clinic_a, actor=own, reason="Test")

    assert "another operator" in " ".join(refused.value.message_dict["suspend"])


def test_nothing_else_of_the_clinic_changes_and_its_tokens_stay(clinic_a, admin_a, operator):
    token, _ = api_token_create(admin=admin_a, user=admin_a, name="EHR")

    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    clinic_resume(clinic=clinic_a, actor=operator)

    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert User.objects.get(pk=admin_a.pk).has_usable_password()


@pytest.fixture
def failing_clinic_audit() -> Iterator[None]:
    def fail(**kwargs: object) -> None:
        raise RuntimeError("the audit entry could not be written")

    signal: Signal = clinic_changed
    signal.connect(fail, dispatch_uid="test-fail-suspension-audit")
    yield
    signal.disconnect(dispatch_uid="test-fail-suspension-audit")


def test_a_suspension_whose_audit_entry_fails_is_not_saved(
    clinic_a, operator, failing_clinic_audit
):
    with pytest.raises(RuntimeError):
        clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")

    assert Clinic.objects.get(pk=clinic_a.pk).suspended_at is None


# --- Django admin -------------------------------------------------------------------------


def test_an_operator_suspends_a_clinic_on_its_admin_page(clinic_a, operator):
    data = clinic_admin_form(clinic_a, suspend="on", reason="Left the service")

    response = signed_in(operator).post(_page(clinic_a), data)

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.is_suspended, clinic.suspension_reason) == (True, "Left the service")
    [entry] = _entries()
    assert entry.actor == operator
    assert "reason for suspension (none) \u2192 Left the service" in entry.detail


def test_the_admin_page_refuses_a_suspension_without_a_reason(clinic_a, operator):
    response = signed_in(operator).post(_page(clinic_a), clinic_admin_form(clinic_a, suspend="on"))

    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert Clinic.objects.get(pk=clinic_a.pk).suspended_at is None


def test_unticking_suspended_resumes_the_clinic(clinic_a, operator):
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    client = signed_in(operator)
    page = client.get(_page(clinic_a)).content.decode()
    assert "checked" in page.split('name="suspend"')[1][:80]

    response = client.post(_page(clinic_a), clinic_admin_form(clinic_a, reason="Unpaid"))

    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic_a.pk).suspended_at is None


def test_a_new_reason_for_a_suspended_clinic_is_saved_and_audited(clinic_a, operator):
    """Its admins read the reason in the audit log: a reason corrected on the page is kept
    (and recorded), never dropped while the page says the clinic was changed."""
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    data = clinic_admin_form(clinic_a, suspend="on", reason="Unpaid since March")

    response = signed_in(operator).post(_page(clinic_a), data)

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.is_suspended, clinic.suspension_reason) == (True, "Unpaid since March")
    entry = _entries()[-1]
    assert entry.actor == operator
    assert "reason for suspension Unpaid \u2192 Unpaid since March" in entry.detail


def test_a_suspended_clinics_reason_cannot_be_emptied(clinic_a, operator):
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    data = clinic_admin_form(clinic_a, suspend="on", reason="  ")

    response = signed_in(operator).post(_page(clinic_a), data)

    assert response.status_code == 200
    assert "Say why" in response.content.decode()
    assert Clinic.objects.get(pk=clinic_a.pk).suspension_reason == "Unpaid"


def test_a_clinics_settings_change_on_the_same_page_is_saved_with_it(clinic_a, operator):
    data = clinic_admin_form(clinic_a, name="Lane", suspend="on", reason="Unpaid")

    signed_in(operator).post(_page(clinic_a), data)

    clinic = Clinic.objects.get(pk=clinic_a.pk)
    assert (clinic.name, clinic.is_suspended) == ("Lane", True)


def test_the_clinic_list_shows_which_are_suspended(clinic_a, clinic_b, operator):
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")

    page = signed_in(operator).get("/ops/admin/clinics/clinic/?suspended=yes").content.decode()

    assert "Clinic A" in page
    assert "Clinic B" not in page
