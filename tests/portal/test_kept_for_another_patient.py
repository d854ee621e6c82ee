"""What a phone kept for one patient and sends while another is signed in (a family phone):
refused with a 409, nothing saved, so the page keeps it for its own patient. The page names
its patient in ``X-Clamshell-Patient``; without the header (a page of an older release) the
request is taken as before.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from apps.programs.models import MorningCheck, SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory
from tests.portal.me_api import NOW, log_body

pytestmark = pytest.mark.django_db

LOGS = "/api/v1/me/logs/"
BATCH = "/api/v1/me/logs/batch/"
MORNING = "/api/v1/me/morning-check/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def relative(therapist_a):
    """Another patient of the same clinic, signed in on the same phone."""
    return PatientFactory(therapist=therapist_a, full_name="Rita A")


def _post(client, url, body, patient):
    return client.post(
        url, body, content_type="application/json", HTTP_X_CLAMSHELL_PATIENT=str(patient.public_id)
    )


def test_a_set_kept_for_another_patient_is_a_409_and_saves_nothing(patient_a, relative, item):
    ExerciseItemFactory(program=ProgramFactory(patient=relative))

    response = _post(signed_in(relative.user), LOGS, log_body(item), patient_a)

    assert response.status_code == 409
    assert "another patient" in response.json()["message"]
    assert not SetLog.objects.exists()


def test_a_bad_set_kept_for_another_patient_is_a_409_not_a_400(patient_a, relative, item):
    # A 400 would tell the page to drop it; it is not the signed-in patient's to refuse.
    response = _post(signed_in(relative.user), LOGS, log_body(item, pain=11), patient_a)

    assert response.status_code == 409


def test_a_batch_kept_for_another_patient_is_a_409_and_saves_nothing(patient_a, relative, item):
    own = ExerciseItemFactory(program=ProgramFactory(patient=relative))
    logs = [log_body(item), log_body(own)]

    response = _post(signed_in(relative.user), BATCH, {"logs": logs}, patient_a)

    assert response.status_code == 409
    assert not SetLog.objects.exists()


def test_a_morning_answer_kept_for_another_patient_is_a_409(patient_a, relative):
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=relative, start_date=NOW.date() - timedelta(7))
    )
    SetLogFactory(item=item, side="left", performed_on=relative.local_today() - timedelta(1))

    response = _post(
        signed_in(relative.user), MORNING, {"hip": "worse", "stiffness": "worse"}, patient_a
    )

    assert response.status_code == 409
    assert not MorningCheck.objects.exists()


def test_the_signed_in_patients_own_page_is_taken(patient_a, item):
    client = signed_in(patient_a.user)

    single = _post(client, LOGS, log_body(item), patient_a)
    batch = _post(client, BATCH, {"logs": [log_body(item), log_body(item)]}, patient_a)

    assert (single.status_code, batch.status_code) == (201, 200)
    assert SetLog.objects.filter(patient=patient_a).count() == 3


def test_without_the_header_a_set_is_taken_as_before(patient_a, item):
    response = signed_in(patient_a.user).post(LOGS, log_body(item), content_type="application/json")

    assert response.status_code == 201
