"""A hand-over of all of a colleague's patients sent twice at the same moment (a double
click) moves and records each patient once; one racing the deactivation of the colleague who
takes them never leaves a patient with a deactivated therapist."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from apps.clinics.services import staff_set_active
from apps.patients.handover import patients_hand_over
from apps.patients.models import Patient
from tests.factories import PatientFactory, StaffFactory
from tests.programs.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(clinic_a) -> tuple[User, User, list[Patient]]:
    dana: User = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    sam: User = StaffFactory(clinic=clinic_a, full_name="Sam Lee")
    return dana, sam, [PatientFactory(therapist=dana) for _ in range(3)]


def test_two_hand_overs_at_once_move_and_record_each_patient_once(
    require_postgres, admin_a, people
):
    dana, sam, _ = people

    def hand() -> None:
        patients_hand_over(actor=admin_a, source=dana, target=sam)

    race(hand, hand)

    assert set(Patient.objects.values_list("therapist_id", flat=True)) == {sam.pk}
    assert AuditEntry.objects.filter(patient__isnull=False).count() == 3


def test_the_taker_deactivated_first_is_refused_after_waiting(require_postgres, admin_a, people):
    dana, sam, _ = people

    with pytest.raises(ValidationError, match="Choose an active colleague"):
        race(
            lambda: staff_set_active(admin=admin_a, staff=sam, active=False),
            lambda: patients_hand_over(actor=admin_a, source=dana, target=sam),
        )

    assert set(Patient.objects.values_list("therapist_id", flat=True)) == {dana.pk}


def test_the_taker_cannot_be_deactivated_while_taking_them(require_postgres, admin_a, people):
    dana, sam, _ = people

    with pytest.raises(ValidationError, match="Move this therapist's patients"):
        race(
            lambda: patients_hand_over(actor=admin_a, source=dana, target=sam),
            lambda: staff_set_active(admin=admin_a, staff=sam, active=False),
        )

    sam.refresh_from_db()
    assert sam.is_active
    assert set(Patient.objects.values_list("therapist_id", flat=True)) == {sam.pk}
