"""Program changes and their audit entries are saved together or not at all: the services
write the entry inside their own transaction (the views and the API no longer write it after
the commit), so a failed entry undoes the change and a change is never left unaudited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from apps.audit.models import Action, AuditEntry
from apps.programs import assign_services, edit_services
from apps.programs.models import LevelChange, Program
from apps.programs.prompt_decisions import item_level_set
from tests.conftest import signed_in
from tests.factories import LadderItemFactory, ProgramFactory, TemplateProgramFactory

pytestmark = pytest.mark.django_db


class AuditDown(Exception):
    pass


def _fail(**kwargs):
    raise AuditDown


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(9))


def test_a_renamed_program_is_undone_when_its_audit_entry_cannot_be_written(
    therapist_a, program, monkeypatch
):
    monkeypatch.setattr("apps.programs.item_services.audit_record", _fail)

    with pytest.raises(AuditDown):
        edit_services.program_update(actor=therapist_a, program=program, name="Renamed")

    assert Program.objects.get(pk=program.pk).name != "Renamed"


def test_an_assignment_is_undone_when_its_audit_entry_cannot_be_written(
    therapist_a, patient_a, monkeypatch
):
    template = TemplateProgramFactory(clinic=patient_a.clinic)
    monkeypatch.setattr("apps.programs.item_services.audit_record", _fail)

    with pytest.raises(AuditDown):
        assign_services.program_assign(actor=therapist_a, program=template, patient=patient_a)

    assert not Program.objects.filter(patient=patient_a).exists()


def test_a_level_change_is_undone_when_its_audit_entry_cannot_be_written(
    therapist_a, program, monkeypatch
):
    item = LadderItemFactory(program=program, current_level=3, ladder__levels=4)
    monkeypatch.setattr("apps.programs.levels.audit_record", _fail)

    with pytest.raises(AuditDown):
        item_level_set(item=item, user=therapist_a, level=2, reason="Flare-up")

    item.refresh_from_db()
    assert item.current_level == 3
    assert not LevelChange.objects.exists()


def test_a_refused_change_leaves_no_audit_entry(therapist_a, program):
    before = AuditEntry.objects.count()

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/", {"save": "details", "name": "", "notes": ""}
    )

    assert response.status_code == 400
    assert AuditEntry.objects.count() == before


def test_a_change_from_the_page_or_the_api_is_audited_once(therapist_a, program):
    signed_in(therapist_a).post(
        f"/programs/{program.public_id}/",
        {"save": "details", "name": "From the page", "notes": ""},
    )
    api = APIClient()
    api.force_authenticate(therapist_a)
    api.patch(
        f"/api/v1/programs/{program.public_id}/update/", {"name": "From the API"}, format="json"
    )

    changes = AuditEntry.objects.filter(action=Action.CHANGE, target_ref=str(program.public_id))
    assert changes.count() == 2
