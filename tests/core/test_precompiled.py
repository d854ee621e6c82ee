"""``PrecompiledQuery`` gives what its queryset gives, field for field, in one counted query;
``own_patient`` (its one user) behaves as the ``visible_to`` read it replaced."""

import threading
from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.precompiled import PrecompiledQuery
from apps.patients.models import Patient
from apps.patients.selectors import own_patient
from tests.factories import ClinicFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

WITH_CLINIC = PrecompiledQuery(
    lambda user_id: (
        Patient.objects.filter(user_id=user_id, archived_at__isnull=True)
        .select_related("clinic")
        .order_by()
    )
)


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def patient():
    # Every kind of column the two rows have: UUIDs, dates and times, decimals, text.
    clinic = ClinicFactory(
        band_high_from=Decimal("41.5"), quiet_hours_start=time(21, 30), phone="+44 20 7946 0000"
    )
    return PatientFactory(clinic=clinic, reminder_time=time(7, 45), email="p@example.com")


def test_the_objects_equal_the_querysets_field_for_field(patient):
    expected = Patient.objects.select_related("clinic").get(pk=patient.pk)

    found = WITH_CLINIC.first(patient.user_id)

    assert isinstance(found, Patient)
    assert _values(found) == _values(expected)
    assert _values(found.clinic) == _values(expected.clinic)
    assert found._state.adding is False
    assert found._state.db == "default"


def test_it_is_one_counted_query_and_the_related_row_needs_none(patient):
    WITH_CLINIC.first(patient.user_id)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        found = WITH_CLINIC.first(patient.user_id)
        assert found is not None
        assert found.clinic.name
    assert len(queries) == 1


def test_no_row_is_none_and_each_value_gets_its_own_row(patient):
    other = PatientFactory()

    assert WITH_CLINIC.first(other.user_id).pk == other.pk
    assert WITH_CLINIC.first(patient.user_id).pk == patient.pk
    Patient.objects.filter(pk=patient.pk).update(archived_at=timezone.now())
    assert WITH_CLINIC.first(patient.user_id) is None


def test_each_thread_compiles_for_its_own_connection(patient):
    found = []

    def read():
        try:
            found.append(WITH_CLINIC.first(patient.user_id).pk)
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()

    assert found == [patient.pk]
    assert WITH_CLINIC.first(patient.user_id).pk == patient.pk


def test_a_query_that_does_not_take_the_value_once_is_refused(patient):
    twice = PrecompiledQuery(lambda pk: Patient.objects.filter(pk=pk, user_id=pk))
    with pytest.raises(ValueError, match="exactly once"):
        twice.first(patient.pk)


# --- own_patient, as the visible_to read it replaced --------------------------------------


def _visible_to(user):
    return (
        Patient.objects.visible_to(user)
        .filter(user_id=user.pk, archived_at__isnull=True)
        .select_related("clinic")
        .first()
    )


def test_own_patient_is_the_record_visible_to_the_patient(patient):
    assert _values(own_patient(patient.user)) == _values(_visible_to(patient.user))


def test_own_patient_of_an_archived_record_is_a_404_as_before(patient):
    Patient.objects.filter(pk=patient.pk).update(archived_at=timezone.now())
    patient.user.refresh_from_db()

    assert _visible_to(patient.user) is None
    with pytest.raises(Http404):
        own_patient(patient.user)


def test_own_patient_of_an_account_of_no_clinic_is_a_404_as_before(patient):
    user = patient.user
    user.clinic_id = None

    assert _visible_to(user) is None
    with pytest.raises(Http404):
        own_patient(user)
