"""A ladder level changed by a therapist says in its audit entry the level before and after
and, when the new level brings its own usual dose (``doses.dose_at_new_level``), the dose
before and after: a clinic admin asking who raised a patient's dose finds it there, however
the level was changed (a prompt approved in the inbox or the API, a level set by hand on the
builder's page or the API). The reason the patient is shown is never copied."""

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from apps.notifications.services import set_log_evaluate
from apps.programs.models import ProgramItem, ProgressionPrompt
from apps.programs.prompt_decisions import item_level_set, prompt_approve
from tests.conftest import signed_in
from tests.factories import LadderFactory, LadderItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory
from tests.programs.ladder_items import library_ladder_item

pytestmark = pytest.mark.django_db

ARROW = " \N{RIGHTWARDS ARROW} "
STRETCH = "1 set of 20\N{EN DASH}30-second holds per side"
CLAMSHELL = "2 sets of 10\N{EN DASH}20 reps per side"
REASON = "Knee feels steady after the fall"


@pytest.fixture
def library(db):
    library_load()


def _item(patient, ladder_key, **dose):
    return library_ladder_item(patient, ladder_key, rest_seconds=30, **dose)


@pytest.fixture
def stretch(library, patient_a):
    """Level 1 of the reverse clamshell ladder, a held stretch; level 2 is 2 sets of reps."""
    return _item(patient_a, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)


def _prompt(item):
    for side in ("left", "right"):
        log = SetLogFactory(item=item, side=side, reps=None, hold_seconds=30, pain=1)
        set_log_evaluate(log_id=log.pk)
    return ProgressionPrompt.objects.get()


def _level_entry():
    entry = AuditEntry.objects.filter(target_type="programs.ProgramItem").latest("sequence")
    assert REASON not in entry.detail
    return entry


WITH_DOSE = (
    f"Reverse clamshell: level 1{ARROW}2, {STRETCH}{ARROW}{CLAMSHELL}, rest 30 s{ARROW}60 s "
    "(reason kept with the change)"
)


def test_approving_a_prompt_says_the_level_and_the_dose_it_brings(therapist_a, stretch):
    prompt_approve(prompt=_prompt(stretch), user=therapist_a, note=REASON)

    entry = _level_entry()
    assert (entry.detail, entry.actor) == (WITH_DOSE, therapist_a)


def test_approving_in_the_inbox_says_it_with_the_address(therapist_a, stretch):
    prompt = _prompt(stretch)

    url = f"/inbox/prompts/{prompt.public_id}/approve/"
    response = signed_in(therapist_a).post(url, {"note": REASON}, REMOTE_ADDR="203.0.113.9")

    assert response.status_code in (200, 302)
    entry = _level_entry()
    assert (entry.detail, entry.ip_address) == (WITH_DOSE, "203.0.113.9")


def test_approving_through_the_api_says_it(therapist_a, patient_a):
    # A ladder of the test's own: the prompt's answer names the levels' %MVIC, which the
    # library's exercises have (see the report of this change).
    ladder = LadderFactory(name="Side plank")
    Exercise.objects.filter(ladder_levels__ladder=ladder, ladder_levels__level=2).update(
        default_sets=3, default_reps=8, default_rest_seconds=90
    )
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(7))
    item = LadderItemFactory(program=program, ladder=ladder, rest_seconds=30)
    for side in ("left", "right"):
        set_log_evaluate(log_id=SetLogFactory(item=item, side=side, reps=20, pain=1).pk)
    prompt = ProgressionPrompt.objects.get()

    url = f"/api/v1/prompts/{prompt.public_id}/approve/"
    response = signed_in(therapist_a).post(url, {"note": REASON}, content_type="application/json")

    assert response.status_code == 200
    assert _level_entry().detail == (
        f"Side plank: level 1{ARROW}2, 2 sets of 10 reps per side{ARROW}3 sets of 8 reps per side, "
        f"rest 30 s{ARROW}90 s (reason kept with the change)"
    )


def test_a_level_set_by_hand_on_the_page_says_the_level_and_the_dose(therapist_a, stretch):
    program = stretch.program
    url = f"/programs/{program.public_id}/items/{stretch.public_id}/level/"

    response = signed_in(therapist_a).post(url, {"level": 2, "reason": REASON})

    assert response.status_code == 302
    assert _level_entry().detail == WITH_DOSE


def test_a_level_set_by_hand_through_the_api_says_it(therapist_a, stretch):
    program = stretch.program
    url = f"/api/v1/programs/{program.public_id}/items/{stretch.public_id}/level/"
    body = {"level": 2, "reason": REASON}

    response = signed_in(therapist_a).post(url, body, content_type="application/json")

    assert response.status_code == 200
    assert _level_entry().detail == WITH_DOSE


def test_a_correction_the_same_day_says_the_level_it_replaces(therapist_a, stretch):
    """The patient is on level 1 today either way; what the therapist changed is tomorrow's
    level 2 back to 1, and the entry says so rather than "level 1 → 1"."""
    item_level_set(item=stretch, user=therapist_a, level=2, reason="Ready")
    moved = ProgramItem.objects.filter(track=stretch.track).latest("pk")

    item_level_set(item=moved, user=therapist_a, level=1, reason=REASON)

    assert _level_entry().detail == (
        f"Reverse clamshell: level 2{ARROW}1, {CLAMSHELL}{ARROW}{STRETCH} "
        "(reason kept with the change)"
    )


def test_a_level_whose_dose_carries_on_says_only_the_level(library, therapist_a, patient_a):
    item = _item(patient_a, "clamshell-boren-2011", sets=3, reps=12, reps_up_to=20)

    item_level_set(item=item, user=therapist_a, level=2, reason=REASON)

    assert _level_entry().detail == (
        f"Clamshell (Boren 2011): level 1{ARROW}2 (reason kept with the change)"
    )
