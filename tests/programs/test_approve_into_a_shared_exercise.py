"""Approving a progression can give the patient an exercise they already do: the next level's
exercise may be the level another running ladder is at, or a single exercise of one of their
programs. From the new level's first day the patient would do it twice a day, a change no
therapist confirmed (what was confirmed when both started was that they might meet, not that
they now do). CLINICAL.md and DESIGN.md: when in doubt the app holds back and asks. So
approving is refused, naming both items in the builder's words, until the therapist confirms
(``confirm_duplicate_ladder``, the builder's "Run it in both places"), in the inbox and the
API alike; the confirmation is audited. A ladder that has the exercise at another level (it
may meet it later) was asked about when it started, and is not asked about again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.programs.models import ProgramItem, PromptStatus
from apps.programs.progression import prompt_for_log
from apps.programs.prompt_decisions import item_level_set, prompt_approve
from tests.conftest import signed_in
from tests.factories import (
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
CONFIRM = "confirm_duplicate_ladder"


@pytest.fixture
def ladder():
    return LadderFactory(name="Clamshell (Boren 2011)")


@pytest.fixture
def level_2(ladder):
    return ladder.levels.get(level=2).exercise


@pytest.fixture
def item(patient_a, ladder):
    """Ann's clamshell ladder at level 1 in her hip program."""
    program = ProgramFactory(patient=patient_a, name="Hip program")
    return LadderItemFactory(program=program, ladder=ladder, current_level=1, per_side=False)


@pytest.fixture
def prompt(item):
    """She met level 1's rule: a prompt to move her to level 2."""
    found, created = prompt_for_log(log=SetLogFactory(item=item, reps=20))
    assert created
    assert found.status == PromptStatus.PENDING
    return found


@pytest.fixture
def home(patient_a):
    return ProgramFactory(patient=patient_a, name="Home program")


def _level(item) -> int | None:
    return ProgramItem.objects.get(track=item.track, active_until=None).current_level


def _refused(error: pytest.ExceptionInfo[ValidationError]) -> str:
    messages = error.value.message_dict[CONFIRM]
    assert len(messages) == 1
    return messages[0]


def test_a_next_level_the_patient_does_on_its_own_needs_confirmation(
    therapist_a, item, prompt, home, level_2
):
    ExerciseItemFactory(program=home, exercise=level_2)

    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=therapist_a)

    assert _refused(error) == (
        "The Clamshell (Boren 2011) ladder (level 2 in “Hip program”) and "
        f"{level_2.name} on its own (in “Home program”) both include {level_2.name}: the "
        f"patient would do {level_2.name} twice on the same day. Remove one of them (or end "
        "that program), or confirm that both should run."
    )
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.PENDING
    assert _level(item) == 1


def test_confirmed_it_is_approved_and_the_confirmation_audited(
    therapist_a, item, prompt, home, level_2
):
    ExerciseItemFactory(program=home, exercise=level_2)

    prompt_approve(prompt=prompt, user=therapist_a, confirm_duplicate_ladder=True)

    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED
    assert _level(item) == 2
    assert AuditEntry.objects.filter(
        detail=f"confirmed running Clamshell (Boren 2011) and {level_2.name}, which both "
        f"include {level_2.name}"
    ).exists()


def test_another_ladder_at_that_exercise_needs_confirmation(
    therapist_a, item, prompt, home, level_2
):
    glute = LadderFactory(name="Gluteus medius by evidence")
    glute.levels.filter(level=3).update(exercise=level_2)
    LadderItemFactory(program=home, ladder=glute, current_level=3)

    with pytest.raises(ValidationError) as error:
        prompt_approve(prompt=prompt, user=therapist_a)

    message = _refused(error)
    assert "the Gluteus medius by evidence ladder (level 3 in “Home program”)" in message
    assert f"would do {level_2.name} twice on the same day" in message


def test_the_same_ladder_at_that_level_elsewhere_needs_confirmation(
    therapist_a, ladder, item, prompt, home
):
    LadderItemFactory(program=home, ladder=ladder, current_level=2)

    with pytest.raises(ValidationError, match="twice on the same day"):
        prompt_approve(prompt=prompt, user=therapist_a)


@pytest.mark.parametrize("state", ["other_level", "ended", "draft", "starts_later", "ended_item"])
def test_nothing_is_asked_when_nothing_runs_it_on_the_new_levels_first_day(
    therapist_a, patient_a, item, prompt, home, level_2, state
):
    today = patient_a.local_today()
    if state == "other_level":  # meets it only later: asked when it started
        glute = LadderFactory(name="Gluteus medius by evidence")
        glute.levels.filter(level=3).update(exercise=level_2)
        LadderItemFactory(program=home, ladder=glute, current_level=1)
    else:
        single = ExerciseItemFactory(program=home, exercise=level_2)
        if state == "ended":
            home.end_date = today
        elif state == "draft":
            home.is_active = False
        elif state == "starts_later":
            home.start_date = today + timedelta(days=5)
        else:
            single.active_until = today
            single.save()
        home.save()

    prompt_approve(prompt=prompt, user=therapist_a)

    assert _level(item) == 2


# --- The inbox and the API -----------------------------------------------------------------


def test_the_inbox_card_shows_the_warning_and_takes_the_confirmation(
    therapist_a, item, prompt, home, level_2
):
    ExerciseItemFactory(program=home, exercise=level_2)
    client = signed_in(therapist_a)
    url = reverse("notifications:approve", args=[prompt.public_id])

    refused = client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 400
    assert f"would do {level_2.name} twice on the same day" in refused.text
    assert f'name="{CONFIRM}"' in refused.text
    assert "Run it in both places" in refused.text
    assert _level(item) == 1

    confirmed = client.post(url, {"note": "", CONFIRM: "on"}, HTTP_HX_REQUEST="true")

    assert confirmed.status_code == 200
    assert _level(item) == 2


def test_the_inbox_card_draws_no_box_when_nothing_is_asked(therapist_a, prompt):
    page = signed_in(therapist_a).get(reverse("notifications:inbox")).text
    assert CONFIRM not in page


def test_the_api_answers_the_warning_and_takes_the_confirmation(
    therapist_a, item, prompt, home, level_2
):
    ExerciseItemFactory(program=home, exercise=level_2)
    client = signed_in(therapist_a)
    url = f"/api/v1/prompts/{prompt.public_id}/approve/"

    refused = client.post(url, {}, **JSON)
    confirmed = client.post(url, {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert "twice on the same day" in refused.json()["errors"][CONFIRM][0]
    assert confirmed.status_code == 200
    assert _level(item) == 2


# --- Automatic advance ---------------------------------------------------------------------


def test_an_automatic_advance_into_it_waits_for_the_therapist(patient_a, item, home, level_2):
    """The app never gives the patient an exercise twice a day on its own: the prompt waits
    for the therapist, whose approval asks as above (as a level the hip precautions rule out
    or one with a new dose waits)."""
    ProgramItem.objects.filter(pk=item.pk).update(auto_advance=True)
    item.refresh_from_db()
    ExerciseItemFactory(program=home, exercise=level_2)

    found, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    assert found.status == PromptStatus.PENDING
    assert _level(item) == 1


def test_an_automatic_advance_into_an_exercise_nothing_else_gives_goes_ahead(
    patient_a, item, home, level_2
):
    ProgramItem.objects.filter(pk=item.pk).update(auto_advance=True)
    item.refresh_from_db()
    ExerciseItemFactory(program=home)  # another exercise

    found, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20))

    assert found.status == PromptStatus.AUTO_APPROVED
    assert _level(item) == 2


# --- A level changed by hand ---------------------------------------------------------------


def test_a_level_set_by_hand_to_it_needs_confirmation_too(therapist_a, item, home, level_2):
    ExerciseItemFactory(program=home, exercise=level_2)

    with pytest.raises(ValidationError) as error:
        item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more.")

    assert f"would do {level_2.name} twice on the same day" in _refused(error)
    assert _level(item) == 1
    item_level_set(
        item=item, user=therapist_a, level=2, reason="Ready for more.",
        confirm_duplicate_ladder=True,
    )  # fmt: skip
    assert _level(item) == 2


def test_a_program_starting_later_is_asked_about_on_its_first_day(
    therapist_a, patient_a, item, home, level_2
):
    """The new level's first day of a program that starts later is its start: what runs
    then is asked about (nothing runs the item tomorrow, when asking found nothing to ask)."""
    start = patient_a.local_today() + timedelta(days=5)
    item.program.start_date = start
    item.program.save()
    ExerciseItemFactory(program=home, exercise=level_2)

    with pytest.raises(ValidationError) as error:
        item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more.")

    assert f"would do {level_2.name} twice on the same day" in _refused(error)
    assert _level(item) == 1


def test_a_program_starting_later_is_not_asked_about_what_ends_before_it(
    therapist_a, patient_a, item, home, level_2
):
    today = patient_a.local_today()
    item.program.start_date = today + timedelta(days=5)
    item.program.save()
    home.end_date = today + timedelta(days=4)
    home.save()
    ExerciseItemFactory(program=home, exercise=level_2)

    item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more.")

    assert _level(item) == 2


def test_the_level_page_asks_and_takes_the_confirmation(therapist_a, item, home, level_2):
    ExerciseItemFactory(program=home, exercise=level_2)
    client = signed_in(therapist_a)
    url = f"/programs/{item.program.public_id}/items/{item.public_id}/level/"
    body = {"level": "2", "reason": "Ready for more."}
    assert CONFIRM not in client.get(url).text

    refused = client.post(url, body)

    assert refused.status_code == 400
    assert f"would do {level_2.name} twice on the same day" in refused.text
    assert f'name="{CONFIRM}"' in refused.text
    assert client.post(url, body | {CONFIRM: "on"}).status_code == 302
    assert _level(item) == 2


def test_the_level_api_asks_and_takes_the_confirmation(therapist_a, item, home, level_2):
    ExerciseItemFactory(program=home, exercise=level_2)
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/level/"
    body = {"level": 2, "reason": "Ready for more."}

    refused = client.post(url, body, **JSON)
    confirmed = client.post(url, body | {CONFIRM: True}, **JSON)

    assert refused.status_code == 400
    assert CONFIRM in refused.json()["errors"]
    assert confirmed.status_code == 200
