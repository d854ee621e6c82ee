"""Restoring an archived patient whose therapist has been deactivated: whoever restores them
chooses an active colleague of the clinic in the same step (page and API); without a choice
the restore is refused with what to do. The move and the restore are one transaction, each
audited as a change of the patient."""

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from apps.clinics.services import staff_set_active
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import AdminFactory, PatientFactory, StaffFactory
from tests.programs.races import race
from tests.security.matrix import api_schema

pytestmark = pytest.mark.django_db


def state(patient):
    return Patient.objects.filter(pk=patient.pk).values_list("archived_at", "therapist_id").get()


def changes(patient):
    return list(
        AuditEntry.objects.filter(patient=patient, action="change")
        .order_by("sequence")
        .values_list("actor_id", "detail")
    )


def deactivate(user):
    User.objects.filter(pk=user.pk).update(is_active=False)


@pytest.fixture
def colleague(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Cora Colleague")


@pytest.fixture
def stuck(admin_a, therapist_a, patient_a):
    """An archived patient whose therapist has since been deactivated."""
    patient_archive(patient=patient_a, actor=admin_a)
    deactivate(therapist_a)
    return Patient.objects.select_related("therapist").get(pk=patient_a.pk)


# --- The service --------------------------------------------------------------------------


def test_restoring_with_an_active_colleague_moves_and_restores_together(admin_a, colleague, stuck):
    changed = patient_restore(patient=stuck, actor=admin_a, therapist=colleague)

    assert changed is True
    assert state(stuck) == (None, colleague.pk)
    assert stuck.therapist == colleague
    assert changes(stuck)[-2:] == [
        (admin_a.pk, "patient restored"),
        (admin_a.pk, "therapist changed on restoring"),
    ]


def test_without_a_choice_the_refusal_says_what_to_do(admin_a, stuck, therapist_a):
    before = changes(stuck)

    with pytest.raises(ValidationError) as refused:
        patient_restore(patient=stuck, actor=admin_a)

    assert "choose an active colleague to look after them" in str(refused.value)
    assert state(stuck)[1] == therapist_a.pk
    assert state(stuck)[0] is not None
    assert changes(stuck) == before


@pytest.mark.parametrize("who", ["deactivated colleague", "other clinic", "patient"])
def test_only_an_active_member_of_the_patients_clinic_staff_may_be_chosen(
    admin_a, stuck, therapist_a, therapist_b, clinic_a, who
):
    chosen = {
        "deactivated colleague": lambda: StaffFactory(clinic=clinic_a, is_active=False),
        "other clinic": lambda: therapist_b,
        "patient": lambda: PatientFactory(therapist=AdminFactory(clinic=clinic_a)).user,
    }[who]()
    before = changes(stuck)

    with pytest.raises(ValidationError, match="choose an active one") as refused:
        patient_restore(patient=stuck, actor=admin_a, therapist=chosen)

    assert not chosen.full_name or chosen.full_name not in str(refused.value)
    archived_at, therapist_id = state(stuck)
    assert archived_at is not None
    assert therapist_id == therapist_a.pk
    assert changes(stuck) == before


def test_an_active_therapist_can_be_changed_on_restoring_too(admin_a, patient_a, colleague):
    patient_archive(patient=patient_a, actor=admin_a)

    patient_restore(patient=patient_a, actor=admin_a, therapist=colleague)

    assert state(patient_a) == (None, colleague.pk)


def test_choosing_the_same_therapist_records_no_move(admin_a, patient_a, therapist_a):
    patient_archive(patient=patient_a, actor=admin_a)

    patient_restore(patient=patient_a, actor=admin_a, therapist=therapist_a)

    assert changes(patient_a)[-1] == (admin_a.pk, "patient restored")


def test_restoring_an_active_patient_moves_nobody(admin_a, patient_a, therapist_a, colleague):
    changed = patient_restore(patient=patient_a, actor=admin_a, therapist=colleague)

    assert changed is False
    assert state(patient_a) == (None, therapist_a.pk)
    assert changes(patient_a) == []


def test_the_colleague_chosen_cannot_then_be_deactivated_with_the_patient_active(
    admin_a, colleague, stuck
):
    patient_restore(patient=stuck, actor=admin_a, therapist=colleague)

    with pytest.raises(ValidationError, match="Move this therapist's patients"):
        staff_set_active(admin=admin_a, staff=colleague, active=False)


# --- A restore and a deactivation at the same moment ---------------------------------------


def _outcomes(admin, patient, colleague, *, restore_first):
    refused: list[str] = []

    def restore():
        try:
            patient_restore(patient=patient, actor=admin, therapist=colleague)
        except ValidationError:
            refused.append("restore")

    def deactivate_colleague():
        try:
            staff_set_active(admin=admin, staff=User.objects.get(pk=colleague.pk), active=False)
        except ValidationError:
            refused.append("deactivation")

    race(*((restore, deactivate_colleague) if restore_first else (deactivate_colleague, restore)))
    return refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("restore_first", [True, False], ids=["restore first", "deactivate first"])
def test_a_restore_and_the_colleagues_deactivation_at_once_never_leave_nobody_active(
    require_postgres, admin_a, colleague, stuck, restore_first
):
    refused = _outcomes(admin_a, stuck, colleague, restore_first=restore_first)

    archived_at, therapist_id = state(stuck)
    colleague_active = User.objects.get(pk=colleague.pk).is_active
    # Whichever commits first wins; the other is refused. Never an active patient whose
    # therapist is deactivated.
    assert refused == (["deactivation"] if restore_first else ["restore"])
    if restore_first:
        assert (archived_at, therapist_id, colleague_active) == (None, colleague.pk, True)
    else:
        assert archived_at is not None
        assert colleague_active is False


# --- The page -----------------------------------------------------------------------------


def page(patient, action=""):
    return f"/patients/{patient.public_id}/{action}"


RESTORE = {"change": "restore"}  # posted to the patient page itself


def test_the_page_offers_the_clinics_active_colleagues_only_when_the_therapist_is_deactivated(
    admin_a, stuck, colleague, therapist_b
):
    gone = StaffFactory(clinic=stuck.clinic, full_name="Gone Colleague", is_active=False)

    html = signed_in(admin_a).get(page(stuck)).text

    assert "has been deactivated: choose a colleague to look after them" in html
    assert 'name="therapist"' in html
    assert f'value="{colleague.public_id}"' in html
    assert f'value="{admin_a.public_id}"' in html
    for absent in (gone, therapist_b, stuck.therapist):
        assert f'value="{absent.public_id}"' not in html


def test_the_page_offers_no_choice_while_the_therapist_is_active(admin_a, patient_a):
    patient_archive(patient=patient_a, actor=admin_a)

    html = signed_in(admin_a).get(page(patient_a)).text

    assert "Restore patient" in html
    assert 'name="therapist"' not in html


def test_the_page_restores_with_the_colleague_chosen(admin_a, stuck, colleague):
    client = signed_in(admin_a)

    response = client.post(page(stuck), RESTORE | {"therapist": colleague.public_id})

    assert response.status_code == 302
    assert state(stuck) == (None, colleague.pk)
    assert "restored, looked after by Cora Colleague from now" in client.get(page(stuck)).text


def test_the_page_without_a_choice_is_a_400_that_says_what_to_do(admin_a, stuck, therapist_a):
    response = signed_in(admin_a).post(page(stuck), RESTORE)

    assert response.status_code == 400
    assert "Choose who looks after them: their therapist has been deactivated." in response.text
    assert state(stuck)[1] == therapist_a.pk
    assert state(stuck)[0] is not None


@pytest.mark.parametrize("who", ["deactivated colleague", "other clinic", "unknown"])
def test_the_page_refuses_anyone_but_an_active_colleague_as_a_form_error(
    admin_a, stuck, therapist_a, therapist_b, who
):
    chosen = {
        "deactivated colleague": lambda: StaffFactory(clinic=stuck.clinic, is_active=False),
        "other clinic": lambda: therapist_b,
        "unknown": lambda: StaffFactory.build(),
    }[who]()

    response = signed_in(admin_a).post(page(stuck), RESTORE | {"therapist": chosen.public_id})

    assert response.status_code == 400
    assert "Choose an active colleague from the list." in response.text
    assert chosen.full_name not in response.text
    assert state(stuck)[1] == therapist_a.pk


def test_a_therapists_own_restore_ignores_a_therapist_sent_with_it(
    therapist_a, patient_a, colleague
):
    patient_archive(patient=patient_a, actor=therapist_a)

    response = signed_in(therapist_a).post(
        page(patient_a), RESTORE | {"therapist": colleague.public_id}
    )

    assert response.status_code == 302
    assert state(patient_a) == (None, therapist_a.pk)


# --- The API ------------------------------------------------------------------------------


def api(patient):
    return f"/api/v1/patients/{patient.public_id}/restore/"


def post(user, patient, body=None):
    return signed_in(user).post(api(patient), body or {}, content_type="application/json")


def test_the_api_restores_with_the_therapist_named(admin_a, stuck, colleague):
    response = post(admin_a, stuck, {"therapist": str(colleague.public_id)})

    assert response.status_code == 200
    body = response.json()
    assert body["archived_at"] is None
    assert body["therapist"] == {"id": str(colleague.public_id), "full_name": "Cora Colleague"}
    assert state(stuck) == (None, colleague.pk)


def test_the_api_without_a_therapist_is_a_400_that_says_what_to_do(admin_a, stuck):
    response = post(admin_a, stuck)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["therapist"]
    assert "choose an active colleague to look after them" in errors["therapist"][0]


def test_another_clinics_therapist_is_the_same_400_as_an_unknown_id(admin_a, stuck, therapist_b):
    other = post(admin_a, stuck, {"therapist": str(therapist_b.public_id)})
    unknown = post(admin_a, stuck, {"therapist": "6f1c2d1e-0000-4000-8000-000000000000"})

    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json()
    assert other.json()["errors"] == {"therapist": ["Unknown member of staff."]}
    assert therapist_b.full_name not in other.text
    assert state(stuck)[0] is not None


def test_a_deactivated_colleague_is_a_400(admin_a, stuck, clinic_a):
    gone = StaffFactory(clinic=clinic_a, is_active=False)

    response = post(admin_a, stuck, {"therapist": str(gone.public_id)})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["therapist"]
    assert state(stuck)[0] is not None


@pytest.mark.parametrize("body", [{"therapist": "not-a-uuid"}, {"therapst": "x"}])
def test_a_bad_body_is_a_400_naming_the_field(admin_a, stuck, body):
    response = post(admin_a, stuck, body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(body)


def test_a_therapist_may_not_choose_the_therapist(therapist_a, patient_a, colleague):
    patient_archive(patient=patient_a, actor=therapist_a)

    response = post(therapist_a, patient_a, {"therapist": str(colleague.public_id)})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "therapist": ["Only a clinic admin chooses the therapist."]
    }
    assert state(patient_a)[0] is not None


def test_the_restore_body_is_documented_and_optional():
    operation = api_schema()["paths"]["/api/v1/patients/{public_id}/restore/"]["post"]

    assert operation["requestBody"].get("required") is not True
