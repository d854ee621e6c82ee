"""manage.py audit_verify: intact chains pass; an edited or removed entry is named."""

from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from apps.audit.models import Action
from apps.audit.services import audit_record
from tests.audit.tampering import raw_delete, raw_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(therapist_a, patient_a):
    return [
        audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)
        for _ in range(4)
    ]


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_an_intact_log_passes(entries):
    assert "intact: 4 entries" in verify()


def test_an_empty_log_passes(db):
    assert "intact: 0 entries" in verify()


def test_an_edited_entry_is_named(entries):
    raw_update(entries[1].pk, detail="nothing to see")

    with pytest.raises(CommandError, match=r"#2 is broken: its content does not match"):
        verify()


def test_a_re_pointed_actor_is_detected(entries, admin_a):
    raw_update(entries[2].pk, actor_id=admin_a.pk)

    with pytest.raises(CommandError, match=r"#3 is broken"):
        verify()


def test_a_removed_entry_is_detected_at_the_next_one(entries):
    raw_delete(entries[1].pk)

    with pytest.raises(CommandError, match=r"#3 is broken: expected #2 here"):
        verify()


def test_a_rehashed_entry_still_breaks_the_link_to_the_next(entries):
    from apps.audit.models import AuditEntry
    from apps.audit.services import entry_hash

    forged = AuditEntry.objects.get(pk=entries[0].pk)
    forged.detail = "forged"
    raw_update(forged.pk, detail="forged", entry_hash=entry_hash(forged, forged.previous_hash))

    with pytest.raises(CommandError, match=r"#2 is broken: it does not follow"):
        verify()


def test_the_command_exits_non_zero_on_a_broken_chain(entries):
    raw_update(entries[0].pk, detail="x")

    utility = ManagementUtility(["manage.py", "audit_verify"])

    with pytest.raises(SystemExit) as exit_info:
        utility.execute()

    assert exit_info.value.code == 1
