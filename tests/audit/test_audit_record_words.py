"""The audit log's Record column says what a person would call the record (issue 20, item 3),
while the log itself still holds only a type and a reference."""

import pytest

from apps.audit.describe import describe_records, short_ref
from apps.audit.models import Action, AuditEntry
from apps.audit.services import audit_record
from tests.conftest import signed_in
from tests.factories import LadderFactory, LadderItemFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_set(patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    item = LadderItemFactory(
        program=program, ladder=LadderFactory(name="Clamshell", levels=4), current_level=2
    )
    return SetLogFactory(item=item, ladder_level=2)


def test_a_logged_set_is_named_by_its_ladder_level_and_a_short_patient_ref(
    therapist_a, patient_a, logged_set
):
    entry = audit_record(
        actor=therapist_a, action=Action.VIEW, patient=patient_a, target=logged_set
    )

    words = describe_records([entry])[entry.pk]

    ref = str(patient_a.public_id).replace("-", "")[:4].upper()
    assert words == f"Logged set · Clamshell level 2 · patient ref {ref}"
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.target_type == "programs.SetLog"
    assert "Clamshell" not in f"{stored.detail}{stored.target_ref}{stored.target_type}"


def test_a_program_item_a_program_and_a_staff_account_read_as_words(
    therapist_a, admin_a, patient_a, logged_set
):
    item, program = logged_set.item, logged_set.item.program
    entries = [
        audit_record(actor=admin_a, action=Action.CHANGE, patient=patient_a, target=item),
        audit_record(actor=admin_a, action=Action.VIEW, patient=patient_a, target=program),
        audit_record(actor=therapist_a, action=Action.SIGN_IN, target=therapist_a),
    ]

    words = describe_records(entries)

    assert words[entries[0].pk].startswith("Program exercise · Clamshell level 2 · patient ref")
    assert words[entries[1].pk].startswith("Program · Hip strength · patient ref")
    assert words[entries[2].pk] == f"Staff account · {therapist_a.full_name}"


def test_a_record_deleted_since_is_named_by_its_kind(therapist_a, patient_a, logged_set):
    entry = audit_record(
        actor=therapist_a, action=Action.VIEW, patient=patient_a, target=logged_set
    )
    logged_set.delete()

    assert describe_records([entry])[entry.pk].startswith("Logged set · since deleted")


def test_the_page_shows_words_not_model_names_in_a_fixed_number_of_queries(
    admin_a, patient_a, logged_set, django_assert_max_num_queries
):
    for _ in range(30):
        audit_record(actor=admin_a, action=Action.VIEW, patient=patient_a, target=logged_set)
        audit_record(actor=admin_a, action=Action.CHANGE, patient=patient_a, target=logged_set.item)
    client = signed_in(admin_a)

    with django_assert_max_num_queries(16):
        body = client.get("/audit/").content.decode()

    assert "Logged set · Clamshell level 2" in body
    assert "SetLog" not in body
    assert "ProgramItem" not in body


def test_short_ref_reads_aloud():
    assert short_ref("4f2a91c0-0000-4000-8000-000000000000") == "4F2A"


def test_an_entry_written_before_set_logs_moved_to_programs_still_reads_as_words(
    therapist_a, patient_a, logged_set
):
    entry = audit_record(
        actor=therapist_a, action=Action.VIEW, patient=patient_a, target=logged_set
    )
    # Entries from before the move name the old label; the row behind it is the same.
    entry.target_type = "patients.SetLog"

    words = describe_records([entry])[entry.pk]

    assert words.startswith("Logged set · Clamshell level 2 · patient ref ")
