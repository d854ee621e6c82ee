"""A clinic admin can download everything about a patient, and erase a patient."""

import json

import pytest
from django.core.management import call_command

from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.patients.models import Patient
from apps.programs.models import Program, ProgramItem, ProgressionPrompt, SetLog
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def export_url(patient):
    return f"/patients/{patient.public_id}/privacy/export/"


def erase_url(patient):
    return f"/patients/{patient.public_id}/privacy/erase/"


def test_the_export_holds_everything_about_the_patient(world):
    a = world.a

    response = signed_in(a.admin).get(export_url(a.patient))
    data = json.loads(response.content)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert data["patient"]["full_name"] == a.patient.full_name
    records = data["records"]
    assert [r["public_id"] for r in records["programs.program"]] == [
        str(a.objects["program"].public_id)
    ]
    assert len(records["programs.programitem"]) == 2
    assert records["patients.setlog"][0]["pain"] == 8
    assert records["programs.progressionprompt"][0]["level"] == 1
    assert records["programs.levelchange"][0]["reason"] == "Reached 20 reps"
    assert {e["action"] for e in data["audit_entries"]} >= {"view", "export"}


def test_the_export_holds_nothing_of_other_patients_and_no_secrets(world):
    a, b = world.a, world.b

    content = signed_in(a.admin).get(export_url(a.patient)).content.decode()

    for value in b.strings():
        assert value not in content
    assert '"password"' not in content
    assert '"token_hash"' not in content


def test_the_export_is_audited(world):
    a = world.a

    signed_in(a.admin).get(export_url(a.patient))

    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor, entry.patient) == (Action.EXPORT, a.admin, a.patient)


def test_only_the_patients_clinic_admin_may_export_or_erase(world):
    a, b = world.a, world.b

    assert signed_in(b.admin).get(export_url(a.patient)).status_code == 404
    assert (
        signed_in(b.admin)
        .post(erase_url(a.patient), {"confirmation": a.patient.full_name})
        .status_code
        == 404
    )
    assert signed_in(a.therapist).get(export_url(a.patient)).status_code == 403
    assert signed_in(a.therapist).get(erase_url(a.patient)).status_code == 403
    assert signed_in(a.patient.user).get(export_url(a.patient)).status_code == 403
    assert Patient.objects.filter(pk=a.patient.pk).exists()


def test_erasure_asks_for_confirmation_first(world):
    a = world.a
    client = signed_in(a.admin)

    page = client.get(erase_url(a.patient))
    wrong = client.post(erase_url(a.patient), {"confirmation": "someone else"})

    assert page.status_code == 200
    assert wrong.status_code == 400
    assert b"Type the patient" in wrong.content
    assert Patient.objects.filter(pk=a.patient.pk).exists()
    assert SetLog.objects.filter(patient=a.patient).exists()


def test_erasure_deletes_health_data_and_account_and_keeps_a_pseudonymous_trail(world):
    a, b = world.a, world.b
    reference = str(a.patient.public_id)
    user_pk = a.patient.user_id
    audit_record_count = AuditEntry.objects.count()

    response = signed_in(a.admin).post(
        erase_url(a.patient), {"confirmation": f"  {a.patient.full_name.upper()} "}
    )

    assert response.status_code == 302
    assert not Patient.objects.filter(public_id=reference).exists()
    assert not SetLog.objects.filter(pk=a.objects["set_log"].pk).exists()
    assert not Program.objects.filter(pk=a.objects["program"].pk).exists()
    assert not ProgramItem.objects.filter(program_id=a.objects["program"].pk).exists()
    assert not ProgressionPrompt.objects.filter(pk=a.objects["prompt"].pk).exists()
    assert not User.objects.filter(pk=user_pk, is_active=True).exists()
    trail = AuditEntry.objects.filter(patient_ref=reference)
    assert trail.count() >= 2
    assert not trail.filter(patient__isnull=False).exists()
    assert AuditEntry.objects.count() == audit_record_count + 1
    assert trail.order_by("-sequence").first().action == Action.DELETE
    assert Patient.objects.filter(pk=b.patient.pk).exists()
    assert SetLog.objects.filter(patient=b.patient).exists()


def test_erasure_leaves_the_audit_chain_intact(world):
    a = world.a

    signed_in(a.admin).post(erase_url(a.patient), {"confirmation": a.patient.full_name})

    call_command("audit_verify")


def test_an_account_named_in_the_trail_is_emptied_not_deleted(world):
    a = world.a
    audit_record(actor=a.patient.user, action=Action.VIEW, patient=a.patient, target=a.patient)
    user_pk = a.patient.user_id

    signed_in(a.admin).post(erase_url(a.patient), {"confirmation": a.patient.full_name})

    user = User.objects.get(pk=user_pk)
    assert (user.is_active, user.email, user.full_name, user.has_usable_password()) == (
        False,
        None,
        "",
        False,
    )
