"""The builder's program details form (name and notes) saves only what the person changed
from what the page showed them: a colleague's change to the other field, saved while the
page was open, is kept; a form sent back unchanged writes and audits nothing."""

from __future__ import annotations

import pytest

from apps.audit.models import Action, AuditEntry
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _details(program: Program, **sent: str) -> dict[str, str]:
    """The form as the page drew it (the values shown, carried beside each field), with
    ``sent`` typed over them."""
    shown = {"name": program.name, "notes": program.notes}
    initial = {f"initial-{k}": v for k, v in shown.items()}
    return {"save": "details", **shown, **initial, **sent}  # posted to the builder itself


def _changes(program: Program) -> int:
    entries = AuditEntry.objects.filter(action=Action.CHANGE, target_ref=str(program.public_id))
    return entries.count()


def test_renaming_keeps_notes_a_colleague_saved_while_the_page_was_open(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip block", notes="Left THR.")
    form = _details(program, name="Hip block, phase 2")
    Program.objects.filter(pk=program.pk).update(notes="Left THR. Avoid flexion past 90°.")

    response = signed_in(therapist_a).post(f"/programs/{program.public_id}/", form)

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.notes) == (
        "Hip block, phase 2",
        "Left THR. Avoid flexion past 90°.",
    )


def test_a_form_sent_back_as_shown_saves_and_audits_nothing(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip block", notes="Left THR.")
    before = Program.objects.values_list("updated_at", flat=True).get(pk=program.pk)

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/", _details(program), follow=True
    )

    assert "Nothing to save: the name and notes are as they were." in response.text
    assert Program.objects.values_list("updated_at", flat=True).get(pk=program.pk) == before
    assert _changes(program) == 0


def test_the_same_change_saved_meanwhile_by_a_colleague_says_so(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip block")
    form = _details(program, name="Hip block, phase 2")
    Program.objects.filter(pk=program.pk).update(name="Hip block, phase 2")

    response = signed_in(therapist_a).post(f"/programs/{program.public_id}/", form, follow=True)

    assert "Nothing to save: these details were already saved." in response.text
    assert _changes(program) == 0


def test_a_note_saved_longer_before_the_limit_stays_whole_when_the_program_is_renamed(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, name="Hip block")
    Program.objects.filter(pk=program.pk).update(notes="n" * 1500)
    program.refresh_from_db()

    renamed = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/", _details(program, name="Renamed")
    )
    lengthened = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/", _details(program, notes="n" * 1400)
    )

    assert renamed.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.notes) == ("Renamed", "n" * 1500)
    # A note typed anew (here, shortened but still over the limit) is limited.
    assert lengthened.status_code == 400
    assert "Keep the notes to 1000 characters or fewer (these have 1400)." in lengthened.text
    assert Program.objects.get(pk=program.pk).notes == "n" * 1500
