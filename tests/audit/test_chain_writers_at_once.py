"""Writers appending to the audit chain at the same moment each append after the last entry:
no number is taken twice or skipped and every hash follows the one before (the chain lock,
taken in the same round trip as the read of the last entries)."""

import itertools
import threading

import pytest
from django.db import connection

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.audit.services import audit_record

WRITERS = 4
EACH = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_writers_at_once_never_append_after_the_same_entry(therapist_a, patient_a, therapist_b):
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(actor) -> None:
        try:
            start.wait()
            for _ in range(EACH):
                audit_record(actor=actor, action=Action.VIEW, patient=patient_a)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    actors = [therapist_a, therapist_b] * (WRITERS // 2)
    threads = [threading.Thread(target=write, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, WRITERS * EACH + 1))
    for clinic_id in {e.clinic_id for e in entries}:
        numbers = [e.clinic_sequence for e in entries if e.clinic_id == clinic_id]
        assert numbers == list(range(1, len(numbers) + 1))
    assert all(b.previous_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    report = audit_chain_verify()
    assert report.first_break is None
    assert report.entries == WRITERS * EACH
