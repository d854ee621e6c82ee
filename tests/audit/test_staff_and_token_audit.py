"""Staff account and API token changes are audited like clinic settings: the clinics
services announce them inside their transactions, the audit log records them, and the audit
log page says what happened in words. A change that rolls back leaves no entry behind."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.dispatch import Signal

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from apps.clinics.invitations import staff_invite, staff_invite_cancel, staff_invite_renew
from apps.clinics.models import ApiToken, Role, TokenScope, User
from apps.clinics.services import staff_set_active
from apps.clinics.signals import api_token_changed, staff_changed
from apps.clinics.tokens import api_token_create, api_token_revoke
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _invite(admin: User) -> User:
    return staff_invite(
        admin=admin, email="Robin@Example.org", full_name="Robin Lane", role=Role.THERAPIST
    )


def _entries(target: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type=target._meta.label, target_ref=str(target.public_id)
        ).order_by("sequence")
    )


def test_an_invitation_its_renewal_and_its_cancellation_each_have_their_entry(admin_a):
    robin = _invite(admin_a)
    staff_invite_renew(admin=admin_a, staff=robin)
    staff_invite_cancel(admin=admin_a, staff=robin)

    entries = _entries(robin)
    assert [(e.action, e.actor_id, e.clinic_id) for e in entries] == [
        (Action.CREATE, admin_a.pk, admin_a.clinic_id),
        (Action.CHANGE, admin_a.pk, admin_a.clinic_id),
        (Action.DELETE, admin_a.pk, admin_a.clinic_id),
    ]
    assert [e.detail for e in entries] == [
        "Robin Lane (robin@example.org) invited as therapist",
        "Robin Lane (robin@example.org) invitation renewed",
        "Robin Lane (robin@example.org) invitation cancelled",
    ]


def test_deactivation_and_reactivation_each_have_their_entry_and_a_repeat_none(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Sam Hill")
    staff_set_active(admin=admin_a, staff=colleague, active=False)
    staff_set_active(admin=admin_a, staff=colleague, active=False)
    staff_set_active(admin=admin_a, staff=colleague, active=True)

    details = [(e.action, e.detail) for e in _entries(colleague)]
    assert details == [
        (Action.CHANGE, f"Sam Hill ({colleague.email}) deactivated"),
        (Action.CHANGE, f"Sam Hill ({colleague.email}) reactivated"),
    ]


def test_a_token_created_and_revoked_twice_has_two_entries(admin_a, therapist_a):
    token, _ = api_token_create(admin=admin_a, user=therapist_a, name="EHR sync")
    api_token_revoke(admin=admin_a, token=token)
    api_token_revoke(admin=admin_a, token=token)

    entries = _entries(token)
    assert [(e.action, e.actor_id) for e in entries] == [
        (Action.CREATE, admin_a.pk),
        (Action.CHANGE, admin_a.pk),
    ]
    assert entries[0].detail.startswith("API token “EHR sync” (read only, expires ")
    assert entries[0].detail.endswith(f") acting as {therapist_a.email} created")
    assert entries[1].detail.endswith(" revoked")


def test_the_creation_entry_records_the_tokens_scope_and_expiry(admin_a, therapist_a):
    admin_a.clinic.time_zone = "America/New_York"
    admin_a.clinic.save(update_fields=["time_zone"])
    with time_machine.travel("2026-03-02 02:00:00Z", tick=False):
        token, _ = api_token_create(
            admin=admin_a,
            user=therapist_a,
            name="EHR sync",
            expires_in_days=30,
            scope=TokenScope.READ_WRITE,
        )

    # The clinic's day: 02:00 UTC on 1 April is the evening of 31 March in New York.
    assert _entries(token)[0].detail == (
        "API token “EHR sync” (read and write, expires 31 Mar 2026 22:00) acting as "
        f"{therapist_a.email} created"
    )


def test_a_long_name_and_address_do_not_cut_the_tokens_terms(admin_a):
    colleague = StaffFactory(clinic=admin_a.clinic, email=f"{'x' * 150}@example.org")
    token, _ = api_token_create(admin=admin_a, user=colleague, name="N" * 100)

    assert "(read only, expires " in _entries(token)[0].detail


@pytest.fixture
def failing_after_audit() -> Iterator[Callable[[Signal], None]]:
    """Make a signal's later receiver fail: the change fails after its entry was written."""
    connected: list[Signal] = []

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("a later step of the change failed")

    def on(signal: Signal) -> None:
        signal.connect(fail, dispatch_uid="test-fail-after-audit")
        connected.append(signal)

    yield on
    for signal in connected:
        signal.disconnect(dispatch_uid="test-fail-after-audit")


def test_a_failed_invitation_leaves_neither_account_nor_entry(admin_a, failing_after_audit):
    failing_after_audit(staff_changed)
    before = AuditEntry.objects.count()

    with pytest.raises(RuntimeError):
        _invite(admin_a)

    assert not User.objects.filter(email="robin@example.org").exists()
    assert AuditEntry.objects.count() == before


def test_a_failed_deactivation_leaves_the_account_active_and_no_entry(
    admin_a, clinic_a, failing_after_audit
):
    colleague = StaffFactory(clinic=clinic_a)
    failing_after_audit(staff_changed)

    with pytest.raises(RuntimeError):
        staff_set_active(admin=admin_a, staff=colleague, active=False)

    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.has_usable_password()
    assert _entries(colleague) == []


def test_failed_token_changes_leave_no_entry(admin_a, therapist_a, failing_after_audit):
    token, _ = api_token_create(admin=admin_a, user=therapist_a, name="Sync")
    failing_after_audit(api_token_changed)

    with pytest.raises(RuntimeError):
        api_token_create(admin=admin_a, user=therapist_a, name="Second")
    with pytest.raises(RuntimeError):
        api_token_revoke(admin=admin_a, token=token)

    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("Sync", None)]
    assert [e.action for e in _entries(token)] == [Action.CREATE]
    assert AuditEntry.objects.filter(target_type="clinics.ApiToken").count() == 1


def test_a_refused_cancellation_leaves_no_orphan_entry(admin_a):
    robin = _invite(admin_a)
    # Named as the actor of an entry (which protects the account): it cannot be deleted.
    audit_record(actor=robin, action=Action.VIEW, detail="dashboard")

    with pytest.raises(ValidationError):
        staff_invite_cancel(admin=admin_a, staff=robin)

    assert User.objects.filter(pk=robin.pk).exists()
    assert [e.action for e in _entries(robin)] == [Action.CREATE]


def test_the_audit_log_page_says_what_changed_in_words(admin_a, therapist_a):
    robin = _invite(admin_a)
    token, _ = api_token_create(admin=admin_a, user=therapist_a, name="EHR sync")
    api_token_revoke(admin=admin_a, token=token)
    staff_invite_cancel(admin=admin_a, staff=robin)

    body = signed_in(admin_a).get("/audit/").content.decode()

    assert f"API token · EHR sync, acting as {therapist_a.full_name}" in body
    assert "Staff account · since deleted" in body
    assert "Robin Lane (robin@example.org) invitation cancelled" in body
    assert "ApiToken" not in body
