"""The patient-link lock holds when many wrong guesses arrive at the same moment.

Real threads, each with its own PostgreSQL connection, post through the whole view. A
barrier holds every request just after it has loaded the patient, so all of them have seen
an unlocked link before any is weighed: the moment the old check-then-count lost."""

from __future__ import annotations

import threading
from collections import Counter
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from apps.patients import auth
from apps.patients.models import Patient
from tests.factories import PatientFactory, StaffFactory

# Six times the five tries a link has. Each guess holds its own PostgreSQL connection at the
# barrier: sixty, beside the other test process's connections and a live server's, came
# near PostgreSQL's default max_connections (100); past it a guess fails to connect and the
# barrier breaks for the rest ("too many clients already", seen with other suites running).
GUESSES = 30
RIGHT_YEAR = 1961


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_wrong_guesses_weigh_exactly_five_then_lock(require_postgres):
    patient = PatientFactory(therapist=StaffFactory(), year_of_birth=RIGHT_YEAR)
    path = auth.personal_link_path(patient)
    barrier = threading.Barrier(GUESSES, timeout=30)
    original = auth.patient_for_link
    statuses: list[int] = []
    failures: list[BaseException] = []

    def loaded_then_wait(**kwargs):
        found = original(**kwargs)
        barrier.wait()
        return found

    def guess(number: int) -> None:
        # One address per guess, as in the probe, so the per-address limit never steps in.
        client = Client(REMOTE_ADDR=f"10.1.{number // 250}.{number % 250 + 1}")
        try:
            year = 1900 + number  # every year but the right one
            statuses.append(client.post(path, {"year_of_birth": year}).status_code)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    with mock.patch.object(auth, "patient_for_link", side_effect=loaded_then_wait):
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

    assert failures == []
    patient.refresh_from_db()
    # Each weighed guess is counted before it is weighed, and the count cannot pass five.
    assert patient.link_failed_attempts == 5
    answered = Counter(statuses)
    # 400: weighed, wrong, attempts left when it looked; 403: locked (or used the last one).
    assert set(answered) <= {400, 403}
    assert answered[400] <= 4
    assert answered[400] + answered[403] == GUESSES
    right = Client(REMOTE_ADDR="10.9.9.9").post(path, {"year_of_birth": RIGHT_YEAR})
    assert right.status_code == 403
    assert Patient.objects.get(pk=patient.pk).link_failed_attempts == 5
