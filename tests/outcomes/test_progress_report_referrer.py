"""The progress report as the referring doctor reads it: made from the patient's page, then
read back from its PDF with pdftotext and from the API's JSON (the same frozen data).

Time is frozen at Friday 14 March 2025, 12:00 UTC (the patient's today in London)."""

from __future__ import annotations

import subprocess  # nosec B404: pdftotext reads the test's own PDF
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.exercises.models import LadderLevel
from apps.outcomes.models import ProgressReport
from apps.patients.precautions import precaution_set
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.levels import set_level
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, LadderFactory, LadderItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2025, 3, 3), name="Hip strength")


def _clamshell():
    ladder = LadderFactory(name="Clamshell")
    names = ["Clam", "Reverse clamshell", "Clam 3", "Clam 4"]
    for rung in LadderLevel.objects.filter(ladder=ladder).select_related("exercise"):
        rung.exercise.name = names[rung.level - 1]
        rung.exercise.hip_movements = ["internal_rotation"] if rung.level > 1 else []
        rung.exercise.save(update_fields=["name", "hip_movements"])
    return ladder


def _pdf_text(client, patient) -> str:
    made = client.post(
        f"/patients/{patient.public_id}/outcomes/", {"save": "report", "note": "Thanks."}
    )
    assert made.status_code == 302
    pdf = client.get(made["Location"]).content
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_referrer_reads_the_precautions_and_each_override_with_its_reason(
    therapist_a, patient_a, program
):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior", starts_on=date(2025, 3, 1),
        ends_on=date(2025, 4, 12), note="THR 28 Feb",
    )  # fmt: skip
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    reason = "Surgeon allows gentle inward rotation from week 2"
    program_item_add(
        actor=therapist_a, program=program,
        spec=ItemSpec(exercise=inward, precaution_override=reason),
    )  # fmt: skip

    text = _pdf_text(signed_in(therapist_a), patient_a)

    assert (
        "Hip precautions Posterior (posterolateral) approach: no flexion beyond 90°; no "
        "adduction across the midline; no internal rotation. From 1 Mar 2025, lifting on "
        "12 Apr 2025: in force. Note: THR 28 Feb"
    ) in text
    assert (
        "Inward turn (Hip strength): takes the hip into internal rotation (posterior "
        "(posterolateral) approach precautions, which lift on 12 Apr 2025). Therapist's reason: "
        f"{reason}."
    ) in text
    report = ProgressReport.objects.get()
    api = signed_in(therapist_a).get(f"/api/v1/progress-reports/{report.public_id}/").json()
    assert api["report"]["overrides"][0]["reason"] == reason
    assert api["report"]["precautions"][0]["ends_on"] == "2025-04-12"


def test_the_referrer_reads_todays_level_named_and_tomorrows_apart(therapist_a, patient_a, program):
    item = LadderItemFactory(program=program, ladder=_clamshell(), current_level=1)
    set_level(item=item, to_level=2, changed_by=therapist_a, reason="20 reps reached")

    text = _pdf_text(signed_in(therapist_a), patient_a)

    assert (
        "Clamshell: level 1 of 4 — Clam; moves to level 2 — Reverse clamshell from 15 Mar 2025."
    ) in text
    assert "Clamshell 1 — Clam 2 — Reverse clamshell 15 Mar 2025 (planned)" in text


def test_the_referrer_reads_which_clinic_sent_it_and_how_to_call_it(therapist_a, patient_a):
    clinic = patient_a.clinic
    clinic.name, clinic.phone = "Riverside Physio", "020 7946 0000"
    clinic.save(update_fields=["name", "phone"])

    text = _pdf_text(signed_in(therapist_a), patient_a)

    assert text.startswith("Riverside Physio · Phone 020 7946 0000 Progress report Patient:")


def test_the_referrer_reads_the_patients_therapist_when_the_clinic_admin_signed_it(
    therapist_a, admin_a, patient_a
):
    # The admin makes the report (the therapist is away); the referrer still needs to know
    # whom the patient is seeing, and who signed what they read.
    therapist_a.full_name = "Alex Kim"
    therapist_a.save(update_fields=["full_name"])
    admin_a.full_name = "Sam Ortiz"
    admin_a.save(update_fields=["full_name"])
    assert patient_a.therapist == therapist_a

    text = _pdf_text(signed_in(admin_a), patient_a)

    assert "Therapist: Alex Kim" in text
    assert "Signed: Sam Ortiz, 14 Mar 2025" in text
    report = ProgressReport.objects.get()
    api = signed_in(admin_a).get(f"/api/v1/progress-reports/{report.public_id}/").json()
    assert api["report"]["therapist_name"] == "Alex Kim"
