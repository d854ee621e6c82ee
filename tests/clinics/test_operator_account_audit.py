"""An operator's change of a person's account in Django admin (their role, clinic, whether
they may sign in, their name) is in the audit log of the clinic concerned, naming the
operator, as a clinic admin's change of a colleague is. Before, Django admin saved it with no
entry at all: an operator could make a therapist a clinic admin, or move them to another
clinic, and no clinic admin could ever see it."""

from collections.abc import Iterator

import pytest
from django.dispatch import Signal

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.clinics.models import Role, User
from apps.clinics.signals import account_changed
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return signed_in(User.objects.create_superuser("ops@example.org", "a long operator password"))


@pytest.fixture
def robin(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Robin Lane", email="robin@a.example")


def _page(account: User) -> str:
    return f"/ops/admin/clinics/user/{account.pk}/change/"


def _drawn(client, account: User) -> dict[str, str]:
    """The change form as the page drew it, sent back with "Save" alone."""
    form = drawn_form(client.get(_page(account)).content.decode(), with_field="full_name")
    return {name: value for name, value in form.items() if name not in ("_continue", "_addanother")}


def _entries(account: User) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type="clinics.User", target_ref=str(account.public_id)
        ).order_by("sequence")
    )


def test_an_operators_change_of_a_role_is_in_the_clinics_audit_log(
    operator, robin, clinic_a, admin_a
):
    response = operator.post(_page(robin), _drawn(operator, robin) | {"role": Role.ADMIN})

    assert response.status_code == 302
    assert User.objects.get(pk=robin.pk).role == Role.ADMIN
    [entry] = _entries(robin)
    assert (entry.action, entry.actor_label, entry.clinic) == (
        Action.CHANGE,
        "ops@example.org",
        clinic_a,
    )
    assert entry.detail == "Robin Lane (robin@a.example): role Therapist \u2192 Clinic admin"
    assert audit_chain_verify().first_break is None
    body = signed_in(admin_a).get("/audit/").content.decode()
    assert "Robin Lane (robin@a.example): role Therapist \u2192 Clinic admin" in body


def test_an_operators_rename_is_one_entry_and_a_deactivation_of_staff_its_own(operator, robin):
    # The deactivation of a member of staff goes through staff_set_active, as on the clinic's
    # staff page, which records it in words of its own (its ending of sessions and tokens
    # is tested in test_operator_staff_deactivation).
    form = _drawn(operator, robin) | {"full_name": "Robin Hill"}
    del form["is_active"]  # the box unticked

    operator.post(_page(robin), form)

    renamed, deactivated = _entries(robin)
    assert renamed.detail == "Robin Hill (robin@a.example): full name Robin Lane \u2192 Robin Hill"
    assert "deactivated" in deactivated.detail
    assert "active yes" not in deactivated.detail
    assert not User.objects.get(pk=robin.pk).is_active


def test_a_move_to_another_clinic_is_in_both_clinics_logs(operator, robin, clinic_a, clinic_b):
    operator.post(_page(robin), _drawn(operator, robin) | {"clinic": str(clinic_b.pk)})

    entries = _entries(robin)
    assert [(e.clinic, e.clinic_sequence) for e in entries] == [(clinic_a, 1), (clinic_b, 1)]
    assert {e.detail for e in entries} == {
        "Robin Lane (robin@a.example): clinic Clinic A \u2192 Clinic B"
    }


def test_an_operators_new_staff_account_is_in_its_clinics_audit_log(operator, clinic_a):
    page = "/ops/admin/clinics/user/add/"
    form = drawn_form(operator.get(page).content.decode(), with_field="password1")
    form |= {
        "email": "sam@a.example", "password1": "a long new password", "usable_password": "true",
        "password2": "a long new password", "clinic": str(clinic_a.pk), "role": Role.THERAPIST,
    }  # fmt: skip

    response = operator.post(page, form)

    assert response.status_code == 302
    sam = User.objects.get(email="sam@a.example")
    [entry] = _entries(sam)
    assert (entry.action, entry.actor_label, entry.clinic) == (
        Action.CREATE,
        "ops@example.org",
        clinic_a,
    )
    assert entry.detail == (
        "sam@a.example: email (none) \u2192 sam@a.example; clinic (none) \u2192 Clinic A; "
        "role (none) \u2192 Therapist"
    )


def test_making_someone_an_operator_is_in_the_chain_of_no_clinic(operator):
    colleague = User.objects.create_user("kim@example.org", "a long password")

    operator.post(_page(colleague), _drawn(operator, colleague) | {"is_superuser": "on"})

    [entry] = _entries(colleague)
    assert (entry.clinic, entry.actor_label) == (None, "ops@example.org")
    assert entry.detail == "kim@example.org: superuser status no \u2192 yes"


def test_an_account_sent_back_unchanged_writes_no_entry(operator, robin):
    response = operator.post(_page(robin), _drawn(operator, robin))

    assert response.status_code == 302
    assert _entries(robin) == []


@pytest.fixture
def failing_account_audit() -> Iterator[None]:
    """The step after the audit entry fails: the save must leave nothing behind."""

    def fail(**kwargs: object) -> None:
        raise RuntimeError("a later step of the save failed")

    signal: Signal = account_changed
    signal.connect(fail, dispatch_uid="test-fail-account-audit")
    yield
    signal.disconnect(dispatch_uid="test-fail-account-audit")


def test_a_failed_change_leaves_neither_change_nor_entry(operator, robin, failing_account_audit):
    with pytest.raises(RuntimeError):
        operator.post(_page(robin), _drawn(operator, robin) | {"role": Role.ADMIN})

    assert User.objects.get(pk=robin.pk).role == Role.THERAPIST
    assert _entries(robin) == []


def test_a_change_of_a_patients_account_names_no_personal_detail(operator, patient_a, clinic_a):
    account = patient_a.user

    operator.post(_page(account), _drawn(operator, account) | {"full_name": "Ann Other"})

    [entry] = _entries(account)
    assert (entry.clinic, entry.detail) == (clinic_a, "a patient's account: full name changed")
    assert "Ann" not in entry.detail


# --- A password set by an operator -----------------------------------------------------------


def _password_page(account: User) -> str:
    return f"/ops/admin/clinics/user/{account.pk}/password/"


NEW_PASSWORD = {
    "password1": "another long password 42",
    "password2": "another long password 42",
    "usable_password": "true",
}


def test_an_operators_new_password_for_staff_is_in_the_clinics_audit_log(operator, robin, clinic_a):
    """Whoever sets a colleague's password can sign in as them: the clinic must see it."""
    response = operator.post(_password_page(robin), NEW_PASSWORD)

    assert response.status_code == 302
    assert User.objects.get(pk=robin.pk).check_password("another long password 42")
    [entry] = _entries(robin)
    assert (entry.action, entry.actor_label, entry.clinic) == (
        Action.CHANGE,
        "ops@example.org",
        clinic_a,
    )
    assert entry.detail == "Robin Lane (robin@a.example): password changed"
    assert "another long" not in entry.detail
    assert audit_chain_verify().first_break is None


def test_an_operator_turning_password_sign_in_off_is_in_the_log_too(operator, robin):
    response = operator.post(
        _password_page(robin), {"usable_password": "false", "unset-password": "1"}
    )

    assert response.status_code == 302
    assert not User.objects.get(pk=robin.pk).has_usable_password()
    [entry] = _entries(robin)
    assert entry.detail == "Robin Lane (robin@a.example): password changed"


def test_a_refused_password_changes_nothing_and_writes_no_entry(operator, robin):
    response = operator.post(_password_page(robin), NEW_PASSWORD | {"password2": "typo"})

    assert response.status_code == 200
    assert User.objects.get(pk=robin.pk).check_password(STAFF_PASSWORD)
    assert _entries(robin) == []


def test_a_failed_password_audit_leaves_the_old_password(operator, robin, failing_account_audit):
    with pytest.raises(RuntimeError):
        operator.post(_password_page(robin), NEW_PASSWORD)

    assert User.objects.get(pk=robin.pk).check_password(STAFF_PASSWORD)
