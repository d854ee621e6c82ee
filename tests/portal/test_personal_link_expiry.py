"""The personal link works for PATIENT_LINK_DAYS from when it was issued, then says plainly
that it has expired; renewing issues one that works for the full period again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.patients import auth
from apps.patients.models import Patient
from tests.factories import PatientFactory
from tests.portal.link_helpers import tampered

pytestmark = pytest.mark.django_db

ISSUED = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def patient(therapist_a):
    with time_machine.travel(ISSUED, tick=False):
        return PatientFactory(therapist=therapist_a, full_name="Ann A", year_of_birth=1961)


def open_link(client, path, year=1961):
    return client.post(path, {"year_of_birth": year})


def days_after(moment, days, **extra):
    return time_machine.travel(moment + timedelta(days=days, **extra), tick=False)


def test_a_link_within_its_days_signs_in(client, patient):
    with days_after(ISSUED, 179):
        response = open_link(client, auth.personal_link_path(patient))

        assert response.status_code == 302
        assert client.get("/today/").status_code == 200


def test_a_link_past_its_days_does_not_sign_in(client, patient):
    path = auth.personal_link_path(patient)

    with days_after(ISSUED, 180):
        response = open_link(client, path)

        assert response.status_code == 410
        assert client.get("/today/").status_code == 302
    assert Patient.objects.get(pk=patient.pk).link_failed_attempts == 0


def test_an_expired_link_says_so_and_how_to_get_a_new_one_without_the_name(client, patient):
    with days_after(ISSUED, 181):
        response = client.get(auth.personal_link_path(patient))

    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert "Ask your therapist" in response.text
    assert 'href="/sign-in/link/"' in response.text
    assert "Ann" not in response.text


def test_a_link_that_expires_between_opening_and_answering_does_not_sign_in(client, patient):
    path = auth.personal_link_path(patient)
    with days_after(ISSUED, 180, seconds=-1):
        assert client.get(path).status_code == 200

    with days_after(ISSUED, 180):
        assert open_link(client, path).status_code == 410
        assert client.get("/today/").status_code == 302


def test_the_days_come_from_the_setting(client, patient, settings):
    settings.PATIENT_LINK_DAYS = 30
    path = auth.personal_link_path(patient)

    with days_after(ISSUED, 29):
        assert client.get(path).status_code == 200
    with days_after(ISSUED, 30):
        assert client.get(path).status_code == 410


def test_renewing_an_expired_link_gives_a_link_that_works_for_the_full_period(client, patient):
    renewed_at = ISSUED + timedelta(days=200)
    with time_machine.travel(renewed_at, tick=False):
        auth.personal_link_renew(patient=patient)
    path = auth.personal_link_path(patient)

    with days_after(renewed_at, 179):
        assert open_link(client, path).status_code == 302
    with days_after(renewed_at, 180):
        assert client.get(path).status_code == 410


def test_a_link_renewed_or_revoked_after_expiring_is_only_not_working(client, patient):
    old_path = auth.personal_link_path(patient)
    with days_after(ISSUED, 200):
        auth.personal_link_renew(patient=patient)
        renewed = client.get(old_path)
        auth.personal_link_revoke(patient=patient)
        revoked = client.get(auth.personal_link_path(patient))

    for response in (renewed, revoked):
        assert response.status_code == 404
        assert "expired" not in response.text


def test_a_forged_token_for_a_patient_with_an_expired_link_is_only_not_working(client, patient):
    forged = tampered(auth.personal_link_path(patient))

    with days_after(ISSUED, 200):
        response = client.get(forged)

    assert response.status_code == 404
    assert "expired" not in response.text


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_starts_existing_links_at_the_migration_time(client):
    before, after = ("patients", "0007_today_version"), ("patients", "0008_personal_link_issued_at")
    with time_machine.travel(ISSUED - timedelta(days=400), tick=False):
        patient = PatientFactory(year_of_birth=1961)  # a link older than PATIENT_LINK_DAYS
    path = auth.personal_link_path(patient)
    try:
        MigrationExecutor(connection).migrate([before])
        with time_machine.travel(ISSUED, tick=False):
            MigrationExecutor(connection).migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Patient.objects.get(pk=patient.pk).link_issued_at == ISSUED
    with days_after(ISSUED, 179):
        assert open_link(client, path).status_code == 302
    with days_after(ISSUED, 180):
        assert client.get(path).status_code == 410
