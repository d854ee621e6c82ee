"""Deleting a set is posted to the set's own page (/today/logs/<id>/, where "Change a set"
is): a refusal (the set was locked meanwhile, 24 hours after it was logged) is that page with
its message, at an address that shows the page again when reloaded, never an empty 405."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.programs.logs import set_log_record
from apps.programs.models import ProgramItem, SetLog
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))


def _logged(patient) -> SetLog:
    program = ProgramFactory(patient=patient, start_date=date(2026, 2, 1))
    item = cast(ProgramItem, ExerciseItemFactory(program=program))
    with time_machine.travel(NOW, tick=False):
        return set_log_record(
            patient=patient, item=item, client_id=uuid.uuid4(), performed_on=date(2026, 3, 3),
            side="left", reps=10, pain=3,
        )[0]  # fmt: skip


def test_a_deletion_refused_once_the_set_is_locked_stays_at_the_sets_page(patient_a):
    saved = _logged(patient_a)
    client = signed_in(patient_a.user)
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        form = form_saying(client.get(f"/today/logs/{saved.public_id}/").text, "Delete this set")

    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        refused = client.post(form.action, form.values)
        again = client.get(form.action)

    assert refused.status_code == 400
    assert "can no longer be changed" in refused.text
    assert again.status_code == 200
    assert "can no longer be changed" in again.text
    assert form.action == f"/today/logs/{saved.public_id}/"
    assert SetLog.objects.count() == 1


def test_another_patients_set_cannot_be_deleted_through_this_page(patient_a, patient_b):
    theirs = _logged(patient_b)
    client = signed_in(patient_a.user)

    with time_machine.travel(NOW, tick=False):
        response = client.post(f"/today/logs/{theirs.public_id}/", {"delete": "yes"})

    assert response.status_code == 404
    assert SetLog.objects.count() == 1


def test_staff_cannot_delete_a_set_through_this_page(therapist_a, patient_a):
    saved = _logged(patient_a)

    with time_machine.travel(NOW, tick=False):
        response = signed_in(therapist_a).post(f"/today/logs/{saved.public_id}/", {"delete": "yes"})

    assert response.status_code == 403
    assert SetLog.objects.count() == 1
