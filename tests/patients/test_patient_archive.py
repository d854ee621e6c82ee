"""Archiving (discharging) a patient and restoring them: the services."""

from datetime import date, time

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase

from apps.audit.models import AuditEntry
from apps.notifications.models import Reminder
from apps.notifications.tasks import reminders_dispatch
from apps.patients import auth
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import OneTimeSignInLink, Patient
from apps.programs.models import Program
from tests.conftest import celery_conf
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def open_link(client, patient, year=1961):
    return client.post(auth.personal_link_path(patient), {"year_of_birth": year})


def changes(patient):
    return list(
        AuditEntry.objects.filter(patient=patient, action="change")
        .order_by("sequence")
        .values_list("actor_id", "detail")
    )


def test_archiving_sets_archived_at_and_is_audited_without_details(therapist_a, patient_a):
    changed = patient_archive(patient=patient_a, actor=therapist_a)

    assert changed is True
    assert patient_a.archived_at is not None
    assert Patient.objects.get(pk=patient_a.pk).archived_at == patient_a.archived_at
    assert changes(patient_a) == [(therapist_a.pk, "patient archived (discharged)")]


def test_archiving_an_archived_patient_changes_and_records_nothing(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)
    first = Patient.objects.get(pk=patient_a.pk).archived_at
    stale = Patient.objects.get(pk=patient_a.pk)

    again = patient_archive(patient=stale, actor=therapist_a)

    assert again is False
    assert Patient.objects.get(pk=patient_a.pk).archived_at == first
    assert stale.archived_at == first
    assert len(changes(patient_a)) == 1


def test_archiving_with_a_stale_copy_of_an_active_patient_archives_once(therapist_a, patient_a):
    """Two tabs open on the same page: the second finds the row already archived."""
    tab_one, tab_two = Patient.objects.get(pk=patient_a.pk), Patient.objects.get(pk=patient_a.pk)

    assert patient_archive(patient=tab_one, actor=therapist_a) is True
    assert patient_archive(patient=tab_two, actor=therapist_a) is False
    assert len(changes(patient_a)) == 1


def test_restoring_clears_archived_at_and_is_audited(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)

    changed = patient_restore(patient=patient_a, actor=therapist_a)

    assert changed is True
    assert Patient.objects.get(pk=patient_a.pk).archived_at is None
    assert changes(patient_a)[-1] == (therapist_a.pk, "patient restored")


def test_restoring_an_active_patient_changes_and_records_nothing(therapist_a, patient_a):
    changed = patient_restore(patient=patient_a, actor=therapist_a)

    assert changed is False
    assert Patient.objects.get(pk=patient_a.pk).archived_at is None
    assert changes(patient_a) == []


def test_archiving_signs_the_patient_out_on_every_phone(client, therapist_a, patient_a):
    open_link(client, patient_a)
    assert client.get("/today/").status_code == 200

    patient_archive(patient=patient_a, actor=therapist_a)

    assert client.get("/today/").status_code == 302


def test_archiving_cancels_unused_one_time_links_and_keeps_used_ones(therapist_a, patient_a):
    unused = auth.one_time_link_create(patient=patient_a)
    used = auth.one_time_link_create(patient=patient_a)
    OneTimeSignInLink.objects.filter(token_hash=auth._hash_token(used)).update(
        used_at=patient_a.created_at
    )

    patient_archive(patient=patient_a, actor=therapist_a)

    left = OneTimeSignInLink.objects.filter(patient=patient_a)
    assert list(left.values_list("token_hash", flat=True)) == [auth._hash_token(used)]
    assert auth.one_time_link_find(unused) is None


def test_an_archived_patient_cannot_sign_in_by_either_link(client, therapist_a, patient_a):
    token = auth.one_time_link_create(patient=patient_a)
    patient_archive(patient=patient_a, actor=therapist_a)
    later = auth.one_time_link_create(patient=patient_a)  # e.g. a request already queued

    assert client.get(auth.personal_link_path(patient_a)).status_code == 404
    assert open_link(client, patient_a).status_code == 404
    assert client.post(f"/sign-in/link/{token}/").status_code == 404
    assert client.post(f"/sign-in/link/{later}/").status_code == 404
    assert client.get("/today/").status_code == 302


def test_after_restoring_the_same_personal_link_signs_in_again(client, therapist_a, patient_a):
    path = auth.personal_link_path(patient_a)
    patient_archive(patient=patient_a, actor=therapist_a)

    patient_restore(patient=patient_a, actor=therapist_a)

    patient_a.refresh_from_db()
    assert auth.personal_link_path(patient_a) == path
    assert open_link(client, patient_a).status_code == 302
    assert client.get("/today/").status_code == 200


def test_a_link_revoked_before_archiving_stays_revoked_after_restoring(
    client, therapist_a, patient_a
):
    auth.personal_link_revoke(patient=patient_a, actor=therapist_a)
    patient_archive(patient=patient_a, actor=therapist_a)

    patient_restore(patient=patient_a, actor=therapist_a)

    patient_a.refresh_from_db()
    assert patient_a.link_revoked_at is not None
    assert client.get(auth.personal_link_path(patient_a)).status_code == 404


def test_programs_are_left_as_they_are(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, end_date=None)
    before = Program.objects.filter(pk=program.pk).values("is_active", "end_date").get()

    patient_archive(patient=patient_a, actor=therapist_a)
    archived = Program.objects.filter(pk=program.pk).values("is_active", "end_date").get()
    patient_restore(patient=patient_a, actor=therapist_a)

    assert archived == before
    assert Program.objects.filter(pk=program.pk).values("is_active", "end_date").get() == before


def test_restoring_is_refused_while_the_therapist_is_deactivated(admin_a, therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=admin_a)
    type(therapist_a).objects.filter(pk=therapist_a.pk).update(is_active=False)

    with pytest.raises(ValidationError) as refused:
        patient_restore(patient=patient_a, actor=admin_a)

    assert "choose an active colleague to look after them" in str(refused.value)
    assert Patient.objects.get(pk=patient_a.pk).archived_at is not None
    assert changes(patient_a)[-1][1] == "patient archived (discharged)"


def test_the_link_of_an_archived_patient_is_not_emailed(therapist_a, patient_a):
    from apps.patients.services import patient_link_email_send

    patient_archive(patient=patient_a, actor=therapist_a)

    with pytest.raises(ValidationError, match="archived"):
        patient_link_email_send(patient=patient_a, link_url="https://x.example/", actor=therapist_a)
    assert mail.outbox == []


@pytest.fixture
def eager_celery():
    with celery_conf(task_always_eager=True):
        yield


def _beat(at):
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_dispatch()


def test_no_reminder_while_archived_and_reminders_again_after_restoring(eager_celery, admin_a):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=time(18, 0),
    )
    patient = item.program.patient
    patient_archive(patient=patient, actor=admin_a)

    _beat("2025-01-15 18:00Z")
    assert mail.outbox == []
    assert not Reminder.objects.filter(patient=patient, status="sent").exists()

    patient_restore(patient=patient, actor=admin_a)
    _beat("2025-01-16 18:00Z")
    assert [m.to for m in mail.outbox] == [[patient.email]]
