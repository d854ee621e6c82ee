"""Who looked after a patient when (``CareSpell``): every change of a patient's therapist
(adding them, a hand-over on the Edit page or by the API, handing over all of a colleague's
patients, a restore to another colleague) ends one spell and opens the next in its own
transaction. A hand-over's local day (the patient's) is the new therapist's, the days before
the previous one's; a patient's first spell covers every day before the first hand-over."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from apps.clinics.models import User
from apps.patients import handover
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import CareSpell, Patient
from apps.patients.services import patient_create, patient_update_partial
from tests.conftest import signed_in
from tests.drawn_form import drawn_form
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db

# Tuesday 3 March 2026, 23:30 UTC: already Wednesday 4 March in Tokyo.
LATE = datetime.fromisoformat("2026-03-03T23:30Z")


def spells(patient: Patient) -> list[tuple[int, date | None, date | None, bool]]:
    """(therapist, first day, first day no longer theirs, open) in order."""
    return [
        (s.therapist_id, s.starts_on, s.ends_on, s.ended_at is None)
        for s in CareSpell.objects.filter(patient=patient).order_by("started_at", "pk")
    ]


@pytest.fixture
def cora(clinic_a) -> User:
    person: User = StaffFactory(clinic=clinic_a, full_name="Cora Colleague")
    return person


def added(therapist: User, zone: str = "Europe/London") -> Patient:
    """A patient added on Sunday 1 March 2026."""
    with time_machine.travel("2026-03-01T10:00Z", tick=False):
        return patient_create(
            therapist=therapist, full_name="Ann Adams", year_of_birth=1970, time_zone=zone,
            email="ann@mail.example",
        )  # fmt: skip


def test_a_patient_added_has_one_open_spell_from_their_creation(therapist_a):
    patient = added(therapist_a)

    assert spells(patient) == [(therapist_a.pk, None, None, True)]
    assert CareSpell.objects.get(patient=patient).started_at == patient.created_at


def test_a_hand_over_on_the_edit_page_gives_its_local_day_to_the_new_therapist(
    admin_a, therapist_a, cora
):
    patient = added(therapist_a, zone="Asia/Tokyo")
    with time_machine.travel(LATE, tick=False):
        patient_update_partial(patient=patient, changes={"therapist": cora}, actor=admin_a)

    wednesday = date(2026, 3, 4)  # in Tokyo
    assert spells(patient) == [
        (therapist_a.pk, None, wednesday, False),
        (cora.pk, wednesday, None, True),
    ]
    ended, opened = CareSpell.objects.filter(patient=patient).order_by("started_at", "pk")
    assert ended.ended_at == opened.started_at == LATE


def test_an_edit_that_keeps_the_therapist_writes_no_spell(admin_a, therapist_a):
    patient = added(therapist_a)

    patient_update_partial(patient=patient, changes={"phone": "+44 7700 900123"}, actor=admin_a)

    assert spells(patient) == [(therapist_a.pk, None, None, True)]


def test_the_edit_form_and_the_api_hand_over_the_same_way(admin_a, therapist_a, cora):
    on_page, by_api = added(therapist_a), added(therapist_a)
    client = signed_in(admin_a)
    page = client.get(f"/patients/{on_page.public_id}/edit/")
    form = drawn_form(page.text, with_field="full_name") | {"therapist": str(cora.public_id)}
    with time_machine.travel(LATE, tick=False):
        response = client.post(f"/patients/{on_page.public_id}/edit/", form)
        api = client.patch(
            f"/api/v1/patients/{by_api.public_id}/update/",
            {"therapist": str(cora.public_id)},
            content_type="application/json",
        )

    assert response.status_code == 302, response.content[:300]
    assert api.status_code == 200, api.content
    tuesday = date(2026, 3, 3)  # in London
    for patient in (on_page, by_api):
        assert spells(patient) == [
            (therapist_a.pk, None, tuesday, False),
            (cora.pk, tuesday, None, True),
        ]


def test_the_api_adds_a_patient_with_their_first_spell(admin_a, cora):
    response = signed_in(admin_a).post(
        "/api/v1/patients/create/",
        {"full_name": "Bo Brown", "year_of_birth": 1980, "time_zone": "Europe/London",
         "email": "bo@mail.example", "therapist": str(cora.public_id)},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    patient = Patient.objects.get(public_id=response.json()["id"])
    assert spells(patient) == [(cora.pk, None, None, True)]


def test_handing_over_all_of_a_colleagues_patients_records_each(admin_a, therapist_a, cora):
    mine = [added(therapist_a, zone) for zone in ("Europe/London", "Asia/Tokyo")]

    with time_machine.travel(LATE, tick=False):
        handover.patients_hand_over(actor=admin_a, source=therapist_a, target=cora)

    for patient, day in zip(mine, (date(2026, 3, 3), date(2026, 3, 4)), strict=True):
        assert spells(patient) == [(therapist_a.pk, None, day, False), (cora.pk, day, None, True)]


def test_a_bulk_hand_over_that_fails_records_nothing(admin_a, therapist_a, cora, monkeypatch):
    patient = added(therapist_a)

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(handover, "audit_record_many", audit_fails)
    with pytest.raises(RuntimeError):
        handover.patients_hand_over(actor=admin_a, source=therapist_a, target=cora)

    assert spells(patient) == [(therapist_a.pk, None, None, True)]


def test_a_single_hand_over_that_fails_records_nothing(admin_a, therapist_a, cora, monkeypatch):
    patient = added(therapist_a)

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("apps.patients.services.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        patient_update_partial(patient=patient, changes={"therapist": cora}, actor=admin_a)

    assert spells(patient) == [(therapist_a.pk, None, None, True)]


def test_a_restore_to_another_colleague_records_the_move(admin_a, therapist_a, cora):
    patient = added(therapist_a)
    patient_archive(patient=patient, actor=admin_a)

    with time_machine.travel(LATE, tick=False):
        patient_restore(patient=patient, actor=admin_a, therapist=cora)

    tuesday = date(2026, 3, 3)
    assert spells(patient) == [
        (therapist_a.pk, None, tuesday, False),
        (cora.pk, tuesday, None, True),
    ]


def test_a_restore_to_the_same_therapist_records_nothing(admin_a, therapist_a):
    patient = added(therapist_a)
    patient_archive(patient=patient, actor=admin_a)

    patient_restore(patient=patient, actor=admin_a, therapist=therapist_a)

    assert spells(patient) == [(therapist_a.pk, None, None, True)]


def test_two_hand_overs_on_one_day_leave_the_day_to_the_last(admin_a, therapist_a, cora):
    patient = added(therapist_a)
    dana = StaffFactory(clinic=admin_a.clinic)
    with time_machine.travel("2026-03-03T09:00Z", tick=False):
        patient_update_partial(patient=patient, changes={"therapist": cora}, actor=admin_a)
    with time_machine.travel("2026-03-03T15:00Z", tick=False):
        patient_update_partial(patient=patient, changes={"therapist": dana}, actor=admin_a)

    tuesday = date(2026, 3, 3)
    assert spells(patient) == [
        (therapist_a.pk, None, tuesday, False),
        (cora.pk, tuesday, tuesday, False),  # no day of its own
        (dana.pk, tuesday, None, True),
    ]


def test_a_patient_who_moved_west_since_is_handed_over_without_a_gap(admin_a, therapist_a, cora):
    patient = added(therapist_a, zone="Asia/Tokyo")
    dana = StaffFactory(clinic=admin_a.clinic)
    with time_machine.travel(LATE, tick=False):  # Wednesday in Tokyo
        patient_update_partial(patient=patient, changes={"therapist": cora}, actor=admin_a)
    Patient.objects.filter(pk=patient.pk).update(time_zone="America/Los_Angeles")
    with time_machine.travel("2026-03-04T01:00Z", tick=False):  # still Tuesday in LA
        patient_update_partial(patient=patient, changes={"therapist": dana}, actor=admin_a)

    wednesday = date(2026, 3, 4)
    assert spells(patient)[1:] == [
        (cora.pk, wednesday, wednesday, False),
        (dana.pk, wednesday, None, True),
    ]


def test_a_patient_with_no_spell_yet_keeps_their_past_with_their_therapist(admin_a, cora):
    # Written outside the services, before spells were recorded.
    patient = PatientFactory(therapist__clinic=admin_a.clinic, created_at=LATE - timedelta(days=9))
    before = patient.therapist_id

    with time_machine.travel(LATE, tick=False):
        patient_update_partial(patient=patient, changes={"therapist": cora}, actor=admin_a)

    tuesday = date(2026, 3, 3)
    assert spells(patient) == [(before, None, tuesday, False), (cora.pk, tuesday, None, True)]


def test_the_database_holds_one_open_and_one_first_spell_a_patient(therapist_a, cora):
    patient = added(therapist_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        CareSpell.objects.create(patient=patient, therapist=cora, started_at=patient.created_at,
                                 starts_on=date(2026, 3, 3))  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        CareSpell.objects.create(
            patient=patient, therapist=cora, started_at=patient.created_at,
            ended_at=patient.created_at, ends_on=date(2026, 3, 3),
        )  # fmt: skip


@pytest.mark.usefixtures("require_postgres")  # SQLite's schema editor needs no transaction
def test_the_migration_gives_each_patient_one_open_spell_from_their_creation(therapist_a, cora):
    # Made before going back to the schema without spells (the spells go with it), since the
    # factory writes every column of today's model, and a later migration may have added one.
    ann = PatientFactory(therapist=therapist_a, created_at=LATE)
    bo = PatientFactory(therapist=cora, archived_at=LATE)
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate([("patients", "0010_hipprecaution_client_id")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert spells(ann) == [(therapist_a.pk, None, None, True)]
    assert spells(bo) == [(cora.pk, None, None, True)]
    assert CareSpell.objects.get(patient=ann).started_at == LATE
