"""An operator who deactivates a member of staff in Django admin ends what their account held,
as a clinic admin's deactivation does (``staff_set_active``): every session, every API token
acting as them and their authenticator app, for good. Before, the admin flipped ``is_active``
alone: the sessions and tokens only paused, and came back to life the day the operator (or a
clinic admin) reactivated the account. A therapist who still looks after patients is refused,
as on the clinic's staff page, and the change is in the clinic's audit log."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.clinics.models import ApiToken, User
from apps.clinics.services import totp_device_start
from apps.clinics.tokens import api_token_create
from apps.patients.services import patient_update_partial
from tests.clinics.test_operator_admin_checks import _operator, _staff_form
from tests.clinics.test_staff_deactivation import password_session
from tests.conftest import signed_in
from tests.factories import AdminFactory, PatientFactory, StaffFactory
from tests.programs.races import race

pytestmark = pytest.mark.django_db


def _set_active(operator: Client, staff: User, active: bool):
    form = _staff_form(staff)
    if not active:
        del form["is_active"]  # an unticked box is not sent
    return operator.post(f"/ops/admin/clinics/user/{staff.pk}/change/", form)


def test_an_operators_deactivation_ends_sessions_and_tokens_for_good(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    old_session = password_session(colleague)
    token, secret = api_token_create(admin=admin_a, user=colleague, name="Sync")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    operator = _operator()

    assert _set_active(operator, colleague, False).status_code == 302
    assert _set_active(operator, colleague, True).status_code == 302

    colleague.refresh_from_db()
    assert colleague.is_active
    assert old_session.get("/patients/").status_code == 302
    assert bearer.get("/api/v1/whoami/").status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_an_operators_deactivation_removes_the_authenticator_app(clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    device = totp_device_start(user=colleague)
    device.confirmed = True
    device.save()

    _set_active(_operator(), colleague, False)

    assert not TOTPDevice.objects.filter(user=colleague).exists()


def test_an_operator_cannot_deactivate_a_therapist_who_still_has_patients(clinic_a):
    therapist = StaffFactory(clinic=clinic_a)
    PatientFactory(clinic=clinic_a, therapist=therapist)

    response = _set_active(_operator(), therapist, False)

    assert response.status_code == 200  # the form again, with the message
    assert "Move this therapist&#x27;s patients to a colleague" in response.content.decode()
    assert User.objects.get(pk=therapist.pk).is_active


def test_an_operators_deactivation_is_in_the_clinics_audit_log(clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill")

    _set_active(_operator(), colleague, False)

    entry = AuditEntry.objects.get(target_type="clinics.User", action="change")
    assert entry.actor_label == "ops@example.org"
    assert entry.detail == f"Dana Hill ({colleague.email}) deactivated"
    assert entry.clinic == clinic_a
    assert audit_chain_verify().first_break is None


def test_an_operator_saving_a_staff_member_unchanged_ends_nothing(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    old_session = password_session(colleague)

    assert _set_active(_operator(), colleague, True).status_code == 302

    assert old_session.get("/patients/").status_code == 200
    assert not AuditEntry.objects.filter(target_type="clinics.User", action="change").exists()


# Moving a therapist to another clinic while they look after patients would leave those
# patients with someone outside their clinic: prompt and pain-alert emails naming them went on
# to that person, now another clinic's staff, and nobody in their own clinic could change them.
def test_an_operator_cannot_move_a_therapist_with_patients_to_another_clinic(clinic_a, clinic_b):
    therapist = StaffFactory(clinic=clinic_a)
    PatientFactory(clinic=clinic_a, therapist=therapist)
    page = f"/ops/admin/clinics/user/{therapist.pk}/change/"

    response = _operator().post(page, _staff_form(therapist, clinic=clinic_b.pk))

    assert response.status_code == 200  # the form again, with the message
    assert "Move this person&#x27;s patients to a colleague first." in response.content.decode()
    assert User.objects.get(pk=therapist.pk).clinic_id == clinic_a.pk


def test_an_operator_cannot_make_a_therapist_with_patients_a_patient(clinic_a):
    therapist = StaffFactory(clinic=clinic_a)
    PatientFactory(clinic=clinic_a, therapist=therapist)
    page = f"/ops/admin/clinics/user/{therapist.pk}/change/"

    response = _operator().post(page, _staff_form(therapist, role="patient"))

    assert response.status_code == 200
    assert User.objects.get(pk=therapist.pk).role == therapist.role


def test_an_operator_moves_a_colleague_without_patients_to_another_clinic(clinic_a, clinic_b):
    colleague = StaffFactory(clinic=clinic_a)
    page = f"/ops/admin/clinics/user/{colleague.pk}/change/"

    response = _operator().post(page, _staff_form(colleague, clinic=clinic_b.pk))

    assert response.status_code == 302
    assert User.objects.get(pk=colleague.pk).clinic_id == clinic_b.pk


def test_an_operator_who_is_clinic_staff_cannot_deactivate_their_own_account(clinic_a):
    """Refused on the form with the staff page's reason, not a server error."""
    operator = AdminFactory(clinic=clinic_a, is_staff=True, is_superuser=True)

    response = _set_active(signed_in(operator), operator, False)

    assert response.status_code == 200  # the form again, with the message
    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=operator.pk).is_active


@pytest.mark.django_db(transaction=True)
def test_a_patient_given_to_the_therapist_meanwhile_refuses_the_deactivation_on_the_form(
    require_postgres, admin_a, clinic_a
):
    """The form asked before the patient was given to them (not committed yet); the change
    waited for the therapist's row and found the patient: the form says so, no server
    error."""
    therapist = StaffFactory(clinic=clinic_a)
    patient = PatientFactory(clinic=clinic_a, therapist=admin_a)
    answers = []

    def give_them_a_patient() -> None:
        patient_update_partial(patient=patient, changes={"therapist": therapist}, actor=admin_a)

    def deactivate() -> None:
        answers.append(_set_active(_operator(), therapist, False))

    race(give_them_a_patient, deactivate)

    assert answers[0].status_code == 200
    assert "Move this therapist&#x27;s patients to a colleague" in answers[0].content.decode()
    assert User.objects.get(pk=therapist.pk).is_active
