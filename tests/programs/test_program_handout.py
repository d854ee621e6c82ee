"""The printed handout: one block per exercise with its pictures, dose, side, ladder goal,
steps and cautions, the QR code and link (never the year of birth), on A4 or US Letter."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from html import unescape as html_unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER

from apps.audit.models import AuditEntry
from apps.exercises.models import LadderLevel
from apps.media import services as media_services
from apps.patients.auth import personal_link_revoke, personal_link_url
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)
from tests.media import samples

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]

ONE_COUNT = "Not per side: each set counts once, done as your therapist showed you."
STEPS = ["Lie on your side with the knees bent.", "Lift the top knee, feet together."]


def _url(patient, paper=None):
    url = reverse("patients:handout", args=[patient.public_id])
    return f"{url}?paper={paper}" if paper else url


def _reader(response) -> PdfReader:
    return PdfReader(io.BytesIO(response.content))


def _text(response) -> str:
    return " ".join(page.extract_text() for page in _reader(response).pages)


@pytest.fixture
def program(patient_a):
    program = ProgramFactory(patient=patient_a, name="Hip strength")
    ExerciseItemFactory(
        program=program,
        exercise=ExerciseFactory(
            clinic=None, key="clam-1", name="Clam", steps=STEPS,
            cautions="Stop if the hip pinches.",
        ),
        sets=2, reps=10, per_side=True, notes="Slow on the way down.",
    )  # fmt: skip
    ExerciseItemFactory(
        program=program,
        exercise=ExerciseFactory(name="Gluteal squeeze", per_side=False),
        reps=None, hold_seconds=5, sets=5, per_side=False,
    )  # fmt: skip
    ladder = LadderFactory(name="Clamshell", levels=3, advance_at_reps=20)
    LadderItemFactory(program=program, ladder=ladder, current_level=2)
    return program


def test_each_exercise_has_its_block_with_dose_side_goal_steps_and_cautions(
    therapist_a, patient_a, program
):
    response = signed_in(therapist_a).get(_url(patient_a))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "Hello Ann" in text
    assert "Hip strength" in text
    for words in (
        "Clam",
        "2 sets of 10 reps per side, rest 60 s",
        "Do every set on each side: left, then right.",
        "Lie on your side with the knees bent.",
        "Lift the top knee, feet together.",
        "Take care: Stop if the hip pinches.",
        "From your therapist: Slow on the way down.",
        "Gluteal squeeze",
        "5 sets of 5-second holds",
        "Both sides together.",
        "Clamshell L2 (level 2)",
        "Level 2 of 3 of Clamshell",
        "When you can do 20 in one set on each side",
    ):
        assert words in " ".join(text.split()), words
    assert personal_link_url(patient_a) in text.replace("\n", "")
    assert "year of birth" in text
    assert str(patient_a.year_of_birth) not in text
    assert AuditEntry.objects.filter(action="export", patient=patient_a).exists()


def test_a_one_leg_exercise_not_counted_per_side_is_not_told_to_use_both_legs(
    therapist_a, patient_a
):
    """With "Each side" unticked the sets are counted once ("both sides together (or no
    side)", as the exercise form puts it): on a one-leg exercise (per side in the library)
    the paper must not tell the patient to lift both legs at once."""
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory(
        program=program, exercise=ExerciseFactory(name="Side-lying leg raise", per_side=True),
        sets=2, reps=10, per_side=False,
    )  # fmt: skip
    ladder = LadderFactory(name="Clamshell", levels=2, advance_at_reps=20)
    LadderItemFactory(program=program, ladder=ladder, current_level=1, per_side=False)

    text = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())

    assert "Both sides together" not in text
    assert text.count(ONE_COUNT) == 2, text


@pytest.mark.parametrize(("hold_back", "alert"), [(5, 7), (4, 6)])
def test_the_ladder_goal_on_paper_allows_pain_up_to_the_clinics_hold_back_level(
    therapist_a, patient_a, program, hold_back, alert
):
    """CLINICAL.md, safety: pain above the hold-back level (5 by default, the clinic's own
    otherwise) holds back a progression, so the goal the patient reads on paper allows pain up
    to that level, never up to the alert level."""
    clinic = patient_a.clinic
    clinic.pain_progression_limit, clinic.pain_alert_level = hold_back, alert
    clinic.save(update_fields=["pain_progression_limit", "pain_alert_level"])

    text = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())

    assert (
        "When you can do 20 in one set on each side with good form and pain no more than "
        f"{hold_back} out of 10, your therapist moves you up a level."
    ) in text


@pytest.mark.parametrize("hold_back", [5, 4])
def test_the_paper_carries_todays_safety_advice_with_the_clinics_hold_back_level(
    therapist_a, patient_a, program, hold_back
):
    """CLINICAL.md, safety: after a fracture or surgery a patient starts only on the care
    team's advice; pain above the hold-back level is "too much": stop that exercise for the
    day and come back to it at a lower load. Today says both; the paper the patient keeps must
    too."""
    clinic = patient_a.clinic
    clinic.pain_progression_limit = hold_back
    clinic.save(update_fields=["pain_progression_limit"])

    text = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())

    assert (
        "If you are recovering from a fracture or an operation, start these exercises only "
        "when your care team says so."
    ) in text
    assert (
        f"If an exercise hurts more than {hold_back} out of 10, stop it for the day and come "
        "back to it next time at a lower load"
    ) in text


def test_the_schedule_line_names_the_program_reminder_time(therapist_a, patient_a, program):
    without = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())
    program.reminder_time = dt.time(9, 30)
    program.save(update_fields=["reminder_time"])

    text = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())

    assert "reminder at" not in without
    assert "reminder at 09:30" in text


def test_the_schedule_line_names_the_time_that_applies_or_none_with_reminders_off(
    therapist_a, patient_a, program
):
    """The patient's own time comes before a program's; with reminders off, no time."""
    program.reminder_time = dt.time(9, 30)
    program.save(update_fields=["reminder_time"])
    patient_a.reminder_time = dt.time(18, 45)
    patient_a.save(update_fields=["reminder_time"])
    own = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())
    patient_a.reminders_enabled = False
    patient_a.save(update_fields=["reminders_enabled"])

    off = " ".join(_text(signed_in(therapist_a).get(_url(patient_a))).split())

    assert "reminder at 18:45" in own
    assert "09:30" not in own
    assert "reminder at" not in off


def test_the_drawing_and_the_clinics_photo_are_in_the_block(therapist_a, patient_a, program):
    clam = program.items.get(exercise__key="clam-1").exercise
    photo = SimpleUploadedFile("p.jpg", samples.jpeg_with_gps(), content_type="image/jpeg")
    media_services.media_upload(actor=therapist_a, exercise=clam, upload=photo)

    response = signed_in(therapist_a).get(_url(patient_a))

    images = [img for page in _reader(response).pages for img in page.images]
    # The QR code and the clinic's photo are images; the drawing is vector ("Start", "End").
    assert len(images) == 2
    assert any(img.image.size[1] > img.image.size[0] for img in images)  # the upright photo
    text = _text(response)
    assert "Start" in text
    assert "End" in text


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_a4_and_us_letter(therapist_a, patient_a, program, paper, size):
    response = signed_in(therapist_a).get(_url(patient_a, paper))

    for page in _reader(response).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)


def test_the_default_paper_follows_the_language(settings, therapist_a, patient_a, program):
    settings.LANGUAGE_CODE = "en-us"

    response = signed_in(therapist_a).get(_url(patient_a))

    page = _reader(response).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER)


def test_an_unknown_paper_size_is_refused_with_the_choices(therapist_a, patient_a, program):
    response = signed_in(therapist_a).get(_url(patient_a, "a3"), follow=True)

    assert response.status_code == 400
    assert "a4 (A4) or letter (US Letter)" in response.text


def test_a_long_program_runs_over_several_pages_keeping_each_block_whole(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    for n in range(12):
        ExerciseItemFactory(
            program=program,
            exercise=ExerciseFactory(name=f"Exercise number {n}", steps=STEPS * 2),
        )

    response = signed_in(therapist_a).get(_url(patient_a))

    pages = [" ".join(p.extract_text().split()) for p in _reader(response).pages]
    assert len(pages) > 1
    for n in range(12):
        holding = [i for i, page in enumerate(pages) if f"Exercise number {n} " in page + " "]
        assert len(holding) == 1
    assert all("Your exercises:" in page for page in pages)  # the link on every page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_large_print(therapist_a, patient_a, program, tmp_path):
    path = tmp_path / "handout.pdf"
    path.write_bytes(signed_in(therapist_a).get(_url(patient_a)).content)

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout

    assert "Dose: 2 sets of 10 reps per side" in text
    assert "Open your exercises on your phone" in text


def test_no_handout_while_the_link_is_revoked(therapist_a, patient_a):
    personal_link_revoke(patient=patient_a)

    response = signed_in(therapist_a).get(_url(patient_a))

    assert response.status_code == 400
    assert "The personal link is revoked: renew it before printing." in response.text


def test_no_handout_while_the_link_is_expired_and_it_says_so(therapist_a, patient_a):
    from datetime import timedelta

    from django.conf import settings

    expired = patient_a.link_issued_at - timedelta(days=settings.PATIENT_LINK_DAYS + 1)
    type(patient_a).objects.filter(pk=patient_a.pk).update(link_issued_at=expired)

    response = signed_in(therapist_a).get(_url(patient_a))

    assert response.status_code == 400
    assert "The personal link is expired: renew it before printing." in response.text


def test_a_ladder_shows_the_exercise_of_the_current_level(therapist_a, patient_a):
    ladder = LadderFactory(name="Bridge", levels=2)
    level_two = LadderLevel.objects.get(ladder=ladder, level=2).exercise
    LadderItemFactory(program=ProgramFactory(patient=patient_a), ladder=ladder, current_level=2)

    text = _text(signed_in(therapist_a).get(_url(patient_a)))

    assert f"{level_two.name} (level 2)" in " ".join(text.split())


_PAGE = re.compile(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _words_by_page(pdf: bytes, tmp_path) -> list[tuple[float, list[tuple]]]:
    """Each page's width and its words with their boxes (text, x0, y0, x1, y1), as
    pdftotext -bbox reads them."""
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [
        (
            float(width),
            [(html_unescape(w[4]), *map(float, w[:4])) for w in _WORD.findall(words)],
        )
        for width, words in _PAGE.findall(html)
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_footer_prints_the_whole_link_clear_of_the_page_number(
    settings, therapist_a, patient_a, paper, tmp_path
):
    settings.SITE_URL = "https://physiotherapy.riverside-hip-and-knee-clinic.example.org"
    clinic = patient_a.clinic
    clinic.name = "Riverside Hip, Knee and Sports Physiotherapy and Rehabilitation Centre"
    clinic.save(update_fields=["name"])
    program = ProgramFactory(patient=patient_a)
    for n in range(6):
        ExerciseItemFactory(program=program, exercise=ExerciseFactory(name=f"Exercise {n}"))
    link = personal_link_url(patient_a)

    response = signed_in(therapist_a).get(_url(patient_a, paper))

    pages = _words_by_page(response.content, tmp_path)
    assert len(pages) > 1
    for number, (width, words) in enumerate(pages, start=1):
        text = "".join(word for word, *_ in words)
        # The footer's link is whole, and no cut-off link is printed anywhere.
        assert "Yourexercises:" + link in text, number
        assert text.count(link) == text.count("https://"), number
        assert all(x_max <= width for _, _, _, x_max, _ in words), number
        label = next(w for w in words if w[0] == "Page" and w[1] > width / 2)
        others = [w for w in words if w is not label and w[0] != str(number)]
        for _, x_min, y_min, x_max, y_max in others:
            overlaps = (
                x_min < label[3] and label[1] < x_max and y_min < label[4] and label[2] < y_max
            )
            assert not overlaps, number
