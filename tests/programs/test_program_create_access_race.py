"""A program made for a patient (POST /api/v1/programs/create/ with a patient, the New
program page; POST programs/<id>/assign/, the builder's Assign) asks again, under the
patient's lock, whether the caller may still change the patient: a patient handed over to a
colleague while the request waited is a 404 for the former therapist, and nothing is made,
started or recorded. Templates are made as before. Two PostgreSQL connections
(tests/programs/hand_over_races.py)."""

from __future__ import annotations

import pytest

from apps.programs.models import Program
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ProgramFactory, TemplateProgramFactory
from tests.programs.hand_over_races import audits_by, during_a_hand_over


def api_post(user, path: str, body: dict):
    return lambda: signed_in(user).post(
        f"/api/v1/programs/{path}", body, content_type="application/json"
    )


def programs_of(patient) -> list[tuple[int, bool]]:
    return list(Program.objects.filter(patient=patient).values_list("pk", "is_active"))


@pytest.mark.django_db(transaction=True)
def test_a_program_created_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    audited = audits_by(therapist_a)
    send = api_post(therapist_a, "create/", {"name": "Mine", "patient": str(patient_a.public_id)})

    answer = during_a_hand_over(admin=admin_a, therapist=therapist_a, send=send)

    assert answer.status_code == 404, answer.content
    assert programs_of(patient_a) == []
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_new_program_page_sent_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    client = signed_in(therapist_a)
    page = client.get(f"/programs/new/?patient={patient_a.public_id}").text
    form = form_saying(page, "Create and open the builder")
    assert form.values["patient"] == str(patient_a.public_id)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: client.post(form.action or "/programs/new/", form.values | {"name": "Mine"}),
    )  # fmt: skip

    assert answer.status_code == 404
    assert programs_of(patient_a) == []


@pytest.mark.django_db(transaction=True)
def test_a_template_assigned_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    audited = audits_by(therapist_a)
    body = {"patient": str(patient_a.public_id)}

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=api_post(therapist_a, f"{template.public_id}/assign/", body),
    )  # fmt: skip

    assert answer.status_code == 404, answer.content
    assert programs_of(patient_a) == []
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_builders_assign_of_a_draft_during_a_hand_over_is_a_404(
    require_postgres, therapist_a, admin_a, patient_a
):
    draft = ProgramFactory(patient=patient_a, is_active=False, start_date=patient_a.local_today())
    client = signed_in(therapist_a)
    form = form_saying(client.get(f"/programs/{draft.public_id}/").text, "Assign")
    audited = audits_by(therapist_a)

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=lambda: client.post(form.action or f"/programs/{draft.public_id}/", form.values),
    )  # fmt: skip

    assert answer.status_code == 404
    assert programs_of(patient_a) == [(draft.pk, False)]
    assert audits_by(therapist_a) == audited


@pytest.mark.django_db(transaction=True)
def test_the_admin_assigns_while_the_hand_over_commits(
    require_postgres, therapist_a, admin_a, patient_a
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    body = {"patient": str(patient_a.public_id)}

    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=api_post(admin_a, f"{template.public_id}/assign/", body),
    )  # fmt: skip

    assert answer.status_code == 201, answer.content
    assert len(programs_of(patient_a)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_template_is_created_during_a_hand_over(
    require_postgres, therapist_a, admin_a, patient_a
):
    answer = during_a_hand_over(
        admin=admin_a, therapist=therapist_a,
        send=api_post(therapist_a, "create/", {"name": "Knee basics"}),
    )  # fmt: skip

    assert answer.status_code == 201, answer.content
    assert Program.objects.filter(is_template=True, name="Knee basics").exists()
