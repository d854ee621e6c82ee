"""``PrecompiledQuery`` gives what its queryset gives, field for field, in one counted query;
``own_patient`` (its one user) behaves as the ``visible_to`` read it replaced."""

import threading
from datetime import date, time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.precompiled import (
    DATE_STAND_IN,
    INT,
    STR_STAND_IN,
    UUID_STAND_IN,
    PrecompiledQuery,
    PrecompiledRows,
)
from apps.patients.models import HipPrecaution, Patient, PrecautionKind
from apps.patients.selectors import own_patient, precautions_in_force
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


def test_a_query_that_does_not_take_its_value_is_refused(patient):
    ignored = PrecompiledQuery(lambda pk: Patient.objects.filter(user_id=patient.user_id))
    with pytest.raises(ValueError, match="does not take value 0"):
        ignored.first(patient.pk)


def test_a_value_taken_twice_goes_to_both_places(patient):
    twice = PrecompiledQuery(lambda pk: Patient.objects.filter(pk=pk, id__lte=pk))

    assert twice.first(patient.pk).pk == patient.pk


def test_uuid_values_select_their_rows(patient):
    other = PatientFactory(clinic=patient.clinic)
    query = PrecompiledQuery(
        lambda public_id, clinic_id: Patient.objects.filter(
            public_id=public_id, clinic_id=clinic_id
        ),
        stand_ins=(UUID_STAND_IN, INT),
    )

    assert query.first(other.public_id, other.clinic_id).pk == other.pk
    assert query.first(str(patient.public_id), patient.clinic_id).pk == patient.pk
    assert query.first(other.public_id, -1) is None


def test_string_values_select_their_rows(patient):
    other = PatientFactory(clinic=patient.clinic, email="o'ther@example.com")
    query = PrecompiledQuery(
        lambda email: Patient.objects.filter(email=email).order_by(), stand_ins=(STR_STAND_IN,)
    )

    assert _values(query.first("o'ther@example.com")) == _values(other)
    assert query.first("p@example.com").pk == patient.pk
    assert query.first("%") is None  # a value, never a pattern


def test_a_date_value_taken_twice_gives_the_querysets_rows(patient):
    # precautions_in_force compares the day with both ends of each precaution.
    for starts, ends in ((1, 5), (3, 9), (8, 12)):
        HipPrecaution.objects.create(
            patient=patient, kind=PrecautionKind.POSTERIOR,
            starts_on=date(2026, 3, starts), ends_on=date(2026, 3, ends),
        )  # fmt: skip

    for day in range(1, 14):
        on = date(2026, 3, day)
        expected = list(HipPrecaution.objects.filter(patient=patient).in_force(on=on))
        found = precautions_in_force(patient=patient, on=on)
        assert [_values(p) for p in found] == [_values(p) for p in expected], on


def test_all_gives_every_row_in_the_querysets_order(patient):
    clinic = patient.clinic
    for name in ("Zoe", "Adam", "Mia"):
        PatientFactory(clinic=clinic, full_name=name)
    query = PrecompiledQuery(
        lambda clinic_id: Patient.objects.filter(clinic_id=clinic_id).order_by("full_name")
    )
    expected = list(Patient.objects.filter(clinic_id=clinic.pk).order_by("full_name"))

    found = query.all(clinic.pk)

    assert [_values(p) for p in found] == [_values(p) for p in expected]
    assert query.all(-1) == []
    assert query.first(clinic.pk).pk == expected[0].pk


def test_annotations_are_set_on_the_objects_as_the_querysets(patient):
    other = PatientFactory(clinic=patient.clinic)
    HipPrecaution.objects.create(
        patient=other, kind=PrecautionKind.POSTERIOR,
        starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 9),
    )  # fmt: skip

    def build(clinic_id):
        precautions = HipPrecaution.objects.filter(patient_id=OuterRef("pk"))
        return (
            Patient.objects.filter(clinic_id=clinic_id)
            .select_related("clinic")
            .annotate(
                cautious=Exists(precautions), starts=Subquery(precautions.values("starts_on")[:1])
            )
            .order_by("pk")
        )

    found = PrecompiledQuery(build).all(patient.clinic_id)

    expected = list(build(patient.clinic_id))
    assert [(p.pk, p.cautious, p.starts) for p in found] == [
        (p.pk, p.cautious, p.starts) for p in expected
    ]
    assert [(p.cautious, p.starts) for p in found] == [(False, None), (True, date(2026, 3, 1))]
    assert [_values(p.clinic) for p in found] == [_values(p.clinic) for p in expected]


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


def test_rows_equal_the_values_list_querysets_value_for_value(patient):
    # Every kind of value the dashboard's list reads: UUIDs, text, a join, an annotation
    # with two dates, a nullable datetime; two integer parameters with stand-ins of their own.
    other = PatientFactory(clinic=patient.clinic, therapist=patient.therapist)
    HipPrecaution.objects.create(
        patient=other, kind=PrecautionKind.POSTERIOR,
        starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 20),
    )  # fmt: skip
    Patient.objects.filter(pk=patient.pk).update(link_revoked_at=timezone.now())

    def build(clinic_id, therapist_id, first, last):
        held = HipPrecaution.objects.filter(
            patient_id=OuterRef("pk"), starts_on__lte=last, ends_on__gt=first
        )
        return (
            Patient.objects.filter(clinic_id=clinic_id, therapist_id=therapist_id)
            .annotate(held=Exists(held))
            .values_list("pk", "public_id", "therapist__email", "held", "link_revoked_at")
            .order_by("pk")
        )

    query = PrecompiledRows(build, stand_ins=(INT, INT + 1, DATE_STAND_IN, date(1001, 2, 4)))
    for first, last in ((date(2026, 3, 5), date(2026, 3, 6)), (date(2026, 4, 1), date(2026, 4, 2))):
        values = (patient.clinic_id, patient.therapist_id, first, last)
        assert query.all(*values) == list(build(*values)), first
    assert query.all(patient.clinic_id, -1, date(2026, 3, 5), date(2026, 3, 6)) == []


def test_rows_need_a_stand_in_each_and_a_values_list():
    with pytest.raises(ValueError, match="stand-in of its own"):
        PrecompiledRows(lambda a, b: Patient.objects.values_list("pk"), stand_ins=(INT, INT))
    models = PrecompiledRows(lambda pk: Patient.objects.filter(pk=pk), stand_ins=(INT,))
    with pytest.raises(ValueError, match="only values_list"):
        models.all(1)
