import io

import pytest
from pypdf import PdfReader

from apps.audit.models import AuditEntry
from apps.patients.auth import personal_link_revoke, personal_link_url
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_handout_is_a_one_page_pdf_with_the_program_and_the_link(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    ExerciseItemFactory(
        program=program,
        exercise=ExerciseFactory(name="Gluteal squeeze"),
        reps=None,
        hold_seconds=5,
        sets=5,
        per_side=False,
    )
    LadderItemFactory(program=program, ladder=LadderFactory(name="Clamshell"), current_level=1)

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "Hello Ann" in text
    assert "Hip strength" in text
    assert "Gluteal squeeze" in text
    assert "Clamshell L1 (level 1)" in text
    assert "5 sets of 5-second holds" in text
    assert personal_link_url(patient_a) in text.replace("\n", "")
    assert "year of birth" in text
    assert str(patient_a.year_of_birth) not in text
    assert AuditEntry.objects.filter(action="export", patient=patient_a).exists()


def test_a_long_program_still_fits_on_one_page(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    for _ in range(30):
        ExerciseItemFactory(program=program, notes="Slow and controlled, pause at the top.")

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")

    assert response.status_code == 200
    _text(response)


def test_no_handout_while_the_link_is_revoked(therapist_a, patient_a):
    personal_link_revoke(patient=patient_a)

    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/handout.pdf")

    assert response.status_code == 400
