"""The today page: today's items, logging a set without JavaScript, correcting a set.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import UserRateThrottle

from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from apps.patients.precautions import precaution_set
from apps.programs.logs import set_log_record
from apps.programs.models import LevelChange, SetLog
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 3)
PAGE = "/today/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))


def posterior_precautions(therapist, patient):
    """Posterior-approach hip precautions in force from 1 March to 1 June (no internal
    rotation: the "Inward turn" exercises of these tests are held back)."""
    precaution_set(
        actor=therapist, patient=patient, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 1),
    )  # fmt: skip


def log(item, side="left", performed_on=TODAY, **extra):
    values = {"reps": item.reps, "pain": 3, **extra}
    return set_log_record(
        patient=item.program.patient,
        item=item,
        client_id=uuid.uuid4(),
        performed_on=performed_on,
        side=side,
        **values,
    )[0]


def form(item, **changes):
    data = {
        "client_id": str(uuid.uuid4()),
        "item": str(item.public_id),
        "performed_on": TODAY.isoformat(),
        "side": "left",
        "reps": "10",
        "pain": "2",
    }
    data.update(changes)
    return data


def test_it_shows_todays_items_with_steps_cues_dose_and_level(patient_a, program):
    single = ExerciseItemFactory(program=program, sets=2, reps=12, per_side=True, notes="Go slow")
    single.exercise.steps = ["Lie on your side.", "Open the top knee."]
    single.exercise.cues = ["Keep your feet together."]
    single.exercise.save(update_fields=["steps", "cues"])
    ladder = LadderItemFactory(program=program, current_level=2)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert single.exercise.name in html
    assert "Open the top knee." in html
    assert "Keep your feet together." in html
    assert "12 reps on each side" in html
    assert "Go slow" in html
    assert f"Level 2 of 4 · {ladder.ladder.name}" in html
    assert ladder.ladder.levels.get(level=2).exercise.name in html
    assert "Log left set" in html
    assert "Log right set" in html


def test_an_exercise_day_says_to_start_after_a_fracture_or_operation_only_when_cleared(
    patient_a, program
):
    """CLINICAL.md, safety: anyone recovering from a fracture or surgery starts only on their
    care team's advice."""
    ExerciseItemFactory(program=program)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert html.count("data-safety-note") == 1
    assert "recovering from a fracture or an operation" in html
    assert "only when your care team says so" in html


def test_the_windshield_wiper_stretch_shows_its_caution_to_the_patient(patient_a, program):
    """CLINICAL.md, hip precautions: the windshield-wiper stretch is not for people with a hip
    replacement, hip impingement or pain on turning the hip inward; show it as a caution on the
    exercise, which the patient sees on Today beside the steps."""
    library_load()
    wiper = Exercise.objects.get(clinic=None, key="windshield-wiper-stretch")
    ExerciseItemFactory(program=program, exercise=wiper, reps=None, hold_seconds=20, hold_up_to=30)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert f'<p class="caution"><strong>Take care:</strong> {escape(wiper.cautions)}</p>' in html
    assert "hip replacement" in wiper.cautions


def test_a_hold_item_offers_a_countdown_timer(patient_a, program):
    ExerciseItemFactory(program=program, reps=None, hold_seconds=30, per_side=False)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert 'data-hold-timer data-seconds="30"' in html
    assert "30-second hold" in html


def test_the_page_loads_its_script_and_the_manifest_and_has_no_inline_script(patient_a, program):
    ExerciseItemFactory(program=program)

    response = signed_in(patient_a.user).get(PAGE)
    html = response.content.decode()

    assert re.search(r'<script type="module" src="/static/js/today\.mjs"', html)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_nothing_today_shows_a_friendly_message_with_the_next_day(patient_a):
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a, start_date=date(2026, 3, 5)))

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "no exercises for you today" in html
    assert "Thursday 5 March" in html


def test_the_next_day_named_is_not_one_the_hip_precautions_leave_empty(patient_a, therapist_a):
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    held = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 4), weekdays=0b0000100)
    ExerciseItemFactory(program=held, exercise=inward)  # Wednesdays: held back
    fridays = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 4), weekdays=0b0010000)
    ExerciseItemFactory(program=fridays)
    posterior_precautions(therapist_a, patient_a)
    client = signed_in(patient_a.user)

    html = client.get(PAGE).content.decode()
    plan = client.get("/api/v1/me/today/").json()

    assert "Friday 6 March" in html
    assert "Wednesday 4 March" not in html
    assert plan["next_day"] == "2026-03-06"


def test_held_back_for_all_the_days_planned_the_patient_is_told_the_therapist_will_say(
    patient_a, therapist_a
):
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    held = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 4), end_date=date(2026, 4, 1))
    ExerciseItemFactory(program=held, exercise=inward)
    posterior_precautions(therapist_a, patient_a)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "No more exercise days are planned yet. Your therapist will let you know." in html
    assert "Your next exercise day" not in html


def test_a_day_the_hip_precautions_hold_back_wholly_is_on_hold_not_a_rest_day(
    patient_a, therapist_a
):
    """Every exercise of today waits for the therapist's check: the patient is told to leave
    them out until the program is updated, never to "enjoy" a rest day (which says nothing
    of the exercises they remember, and nothing of asking the clinic)."""
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    held = ProgramFactory(patient=patient_a, start_date=date(2026, 3, 2))  # every day
    ExerciseItemFactory(program=held, exercise=inward)
    posterior_precautions(therapist_a, patient_a)
    client = signed_in(patient_a.user)

    html = client.get(PAGE).content.decode()
    plan = client.get("/api/v1/me/today/").json()

    assert "Today's exercises are on hold" in html
    assert "Leave them out until your program is updated" in html
    assert "A rest day" not in html
    assert "Inward turn" not in html
    assert plan["items"] == []
    assert plan["held_back"] == 1


def test_one_exercise_held_back_beside_others_is_said_to_be_on_hold(
    patient_a, therapist_a, program
):
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Bridge"))
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    ExerciseItemFactory(program=program, exercise=inward)
    posterior_precautions(therapist_a, patient_a)
    client = signed_in(patient_a.user)

    html = client.get(PAGE).content.decode()
    plan = client.get("/api/v1/me/today/").json()

    assert "Bridge" in html
    assert "Inward turn" not in html
    assert "One more exercise planned for today is on hold" in html
    assert plan["held_back"] == 1
    assert len(plan["items"]) == 1


def test_without_precautions_nothing_is_said_to_be_on_hold(patient_a, program):
    ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Bridge"))
    client = signed_in(patient_a.user)

    html = client.get(PAGE).content.decode()

    assert "on hold" not in html
    assert client.get("/api/v1/me/today/").json()["held_back"] == 0


def test_a_level_change_is_explained(patient_a, program):
    item = LadderItemFactory(program=program, previous_level=1, current_level=2, level_since=TODAY)
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=TODAY, reason="You did 20 reps."
    )

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "level 2" in html
    assert "You did 20 reps." in html


def test_the_page_uses_a_fixed_number_of_queries(patient_a, program, django_assert_max_num_queries):
    client = signed_in(patient_a.user)
    for _ in range(4):
        extra = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
        for item in (ExerciseItemFactory(program=extra), LadderItemFactory(program=extra)):
            log(item, "left")
            log(item, "right")

    # + 2 morning question, + 1 ladder goals, + 1 the clinic's photos and videos (apps/media),
    # + 3 the streak (the year's schedule, precautions and daily totals; a cache miss only)
    with django_assert_max_num_queries(15):
        response = client.get(PAGE)

    assert response.content.decode().count('class="card exercise') == 8


def test_under_hip_precautions_the_page_uses_a_fixed_number_of_queries(
    patient_a, therapist_a, program
):
    """Precautions in force: the held-back exercises are counted and the next day is one they
    do not leave empty, in as many queries for four programs as for one (the page's cache
    bypassed: a page changed by a new log or program is built again)."""
    posterior_precautions(therapist_a, patient_a)
    client = signed_in(patient_a.user)
    inward = ExerciseFactory(hip_movements=["internal_rotation"])

    def add_program():
        extra = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
        ExerciseItemFactory(program=extra, exercise=inward)
        for item in (ExerciseItemFactory(program=extra), LadderItemFactory(program=extra)):
            log(item, "left")

    add_program()
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for _ in range(3):
        add_program()
    with CaptureQueriesContext(connection) as four:
        html = client.get(PAGE).content.decode()

    assert len(four) == len(one) <= 16
    assert html.count('class="card exercise') == 8
    assert "4 more exercises planned for today are on hold" in html


def test_a_complete_day_says_so(patient_a, program):
    item = ExerciseItemFactory(program=program, sets=1, per_side=False)
    log(item, "both")

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert re.search(r"data-day-complete>\s*Day complete", html)


def test_the_day_complete_message_gives_the_streak(patient_a, program):
    """Journey 2: the patient sees the day complete and their streak. Two days done before
    today (the program runs every day) and today make three in a row."""
    item = ExerciseItemFactory(program=program, sets=1, per_side=False)
    for days_ago in (2, 1, 0):
        log(item, "both", performed_on=TODAY - timedelta(days=days_ago))

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "Day complete. Well done! That is 3 exercise days in a row." in html


def test_the_page_shows_no_template_comment(patient_a, program):
    """Django's {# #} comment is one line only: a longer one is printed on the page."""
    ExerciseItemFactory(program=program, sets=1, per_side=False)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "{#" not in html
    assert "#}" not in html


def test_a_first_day_says_no_streak(patient_a, program):
    item = ExerciseItemFactory(program=program, sets=1, per_side=False)
    log(item, "both")

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "in a row" not in html


def test_logging_a_set_from_the_form_saves_it_and_returns_to_the_item(patient_a, program):
    item = ExerciseItemFactory(program=program, per_side=True)

    response = signed_in(patient_a.user).post("/today/log/", form(item))

    assert response.status_code == 302
    assert response["Location"] == f"/today/#item-{item.public_id}"
    saved = SetLog.objects.get()
    assert (saved.side, saved.reps, saved.pain) == ("left", 10, 2)


def test_a_double_tapped_form_is_saved_once(patient_a, program):
    item = ExerciseItemFactory(program=program, per_side=True)
    client = signed_in(patient_a.user)
    data = form(item)

    client.post("/today/log/", data)
    client.post("/today/log/", data)

    assert SetLog.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"pain": ""}, "Choose how much pain"),
        ({"pain": "11"}, "Pain must be a whole number from 0 to 10"),
        ({"reps": "250"}, "Reps must be from 0 to 200"),
        ({"side": "both"}, "choose left or right"),
        ({"performed_on": "2026-03-04"}, "has not come yet"),
        ({"client_id": "123"}, "reload the page"),
    ],
)
def test_a_bad_form_is_a_400_with_the_message_and_saves_nothing(patient_a, program, changes, words):
    item = ExerciseItemFactory(program=program, per_side=True)

    response = signed_in(patient_a.user).post("/today/log/", form(item, **changes))

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not SetLog.objects.exists()


def test_sets_logged_faster_than_the_api_allows_are_a_429_on_today_and_not_saved(
    patient_a, patient_b, program, monkeypatch
):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    item = ExerciseItemFactory(program=program, per_side=True)
    client = signed_in(patient_a.user)
    statuses = [client.post("/today/log/", form(item)).status_code for _ in range(2)]

    response = client.post("/today/log/", form(item))

    assert statuses == [302, 302]
    assert response.status_code == 429
    assert response["Retry-After"] == "60"  # frozen on the minute: the whole window is left
    html = response.content.decode()
    assert "That set was not saved" in html
    assert "Please wait 1 minute" in html
    assert 'action="/today/log/"' in html  # Today itself, ready for the set once more
    assert SetLog.objects.count() == 2
    theirs = ExerciseItemFactory(program=ProgramFactory(patient=patient_b), per_side=True)
    assert signed_in(patient_b.user).post("/today/log/", form(theirs)).status_code == 302


def test_the_form_cannot_log_against_another_patients_item(patient_a, patient_b):
    theirs = ExerciseItemFactory(program=ProgramFactory(patient=patient_b))

    response = signed_in(patient_a.user).post("/today/log/", form(theirs))

    assert response.status_code == 400
    assert "not in your program" in response.content.decode()
    assert not SetLog.objects.exists()


def test_a_set_can_be_corrected_on_its_own_page_within_24_hours(patient_a, program):
    item = ExerciseItemFactory(program=program, per_side=True)
    saved = log(item)
    client = signed_in(patient_a.user)
    url = f"/today/logs/{saved.public_id}/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"reps": "8", "pain": "1", "difficulty": "", "note": ""})

    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.reps, saved.pain) == (8, 1)


def test_a_bad_correction_on_the_page_is_a_400(patient_a, program):
    saved = log(ExerciseItemFactory(program=program))

    response = signed_in(patient_a.user).post(
        f"/today/logs/{saved.public_id}/", {"reps": "900", "pain": "1"}
    )

    assert response.status_code == 400
    assert "Reps must be from 0 to 200" in response.content.decode()


def test_a_locked_set_cannot_be_changed_or_deleted_on_the_page(patient_a, program):
    saved = log(ExerciseItemFactory(program=program))

    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        client = signed_in(patient_a.user)
        page = client.get(f"/today/logs/{saved.public_id}/")
        deleted = client.post(f"/today/logs/{saved.public_id}/", {"delete": "yes"})

    assert "can no longer be changed" in page.content.decode()
    assert deleted.status_code == 400
    assert SetLog.objects.count() == 1


def test_a_set_can_be_deleted_within_24_hours(patient_a, program):
    saved = log(ExerciseItemFactory(program=program))
    client = signed_in(patient_a.user)
    page = client.get(f"/today/logs/{saved.public_id}/").content.decode()
    # A mistaken tap on "Delete this set" only opens the question; the second button deletes.
    assert '<summary class="button danger">Delete this set' in page
    assert "Yes, delete this set</button>" in page

    response = client.post(f"/today/logs/{saved.public_id}/", {"delete": "yes"})

    assert response.status_code == 302
    assert not SetLog.objects.exists()


def test_another_patients_set_is_a_404_on_the_page(patient_a, patient_b):
    theirs = log(ExerciseItemFactory(program=ProgramFactory(patient=patient_b)))
    client = signed_in(patient_a.user)

    assert client.get(f"/today/logs/{theirs.public_id}/").status_code == 404
    assert client.post(f"/today/logs/{theirs.public_id}/", {"delete": "yes"}).status_code == 404
    assert SetLog.objects.count() == 1


def test_staff_get_a_403_on_the_patient_pages(therapist_a):
    client = signed_in(therapist_a)

    assert client.get(PAGE).status_code == 403
    assert client.post("/today/log/", {}).status_code == 403


def test_each_card_offers_pain_0_to_10_and_never_pre_selects_one(patient_a, program):
    first = ExerciseItemFactory(program=program, per_side=False)
    second = ExerciseItemFactory(program=program, per_side=False)
    log(first, side="both", pain=4)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    radios = re.findall(r'<input type="radio" name="pain" value="(\d+)" required( checked)?>', html)
    assert [int(value) for value, _ in radios] == list(range(11)) * 2
    assert [int(value) for value, checked in radios if checked] == []
    assert str(second.public_id) in html


def test_pain_at_the_alert_level_says_stop_that_exercise_today_and_how_to_reach_the_clinic(
    patient_a, program
):
    patient_a.clinic.phone = "+44 20 7946 0000"
    patient_a.clinic.save(update_fields=["phone"])
    painful = ExerciseItemFactory(program=program, per_side=False)
    ExerciseItemFactory(program=program, per_side=False)
    log(painful, side="both", pain=7)  # the clinic's default alert level

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    shown = re.findall(
        r'data-pain-advice role="alert" aria-labelledby="advice-([^"]+)"( hidden)?', html
    )
    assert shown == [(str(painful.public_id), ""), (shown[1][0], " hidden")]
    assert "Stop this exercise for today" in html
    assert "pain of <strong data-pain-advice-value>7</strong> out of 10" in html
    # At the alert level the therapist is told the same day (CLINICAL.md): the patient is
    # told so, with the clinic's number.
    assert re.findall(r"<p data-pain-alert( hidden)?>", html) == ["", " hidden"]
    assert "Pain of 7 or more alerts your therapist the same day" in html
    assert "we are letting them know today" in html
    assert 'Call the clinic on <a href="tel:+442079460000">+44 20 7946 0000</a>' in html


def test_pain_at_the_alert_level_without_a_clinic_phone_says_to_contact_the_clinic(
    patient_a, program
):
    assert patient_a.clinic.phone == ""
    log(ExerciseItemFactory(program=program, per_side=False), side="both", pain=9)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert re.findall(r"<p data-pain-alert( hidden)?>", html) == [""]
    assert "tel:" not in html
    assert "contact your clinic" in html


def test_pain_at_the_hold_back_level_gives_no_stop_advice(patient_a, program):
    """CLINICAL.md: up to 5 of 10 is acceptable during exercise."""
    item = ExerciseItemFactory(program=program, per_side=False)
    log(item, side="both", pain=5)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert re.findall(r'data-pain-advice role="alert" aria-labelledby="[^"]+"( hidden)', html) == [
        " hidden"
    ]


def test_pain_above_the_hold_back_level_says_stop_even_below_the_alert_level(patient_a, program):
    """CLINICAL.md: above 5 is "too much": stop that exercise for the day. The alert level
    (7) only decides whether the therapist is told at once."""
    item = ExerciseItemFactory(program=program, per_side=False)
    log(item, side="both", pain=6)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert re.findall(r'data-pain-advice role="alert" aria-labelledby="[^"]+"( hidden)?', html) == [
        ""
    ]
    assert "pain of <strong data-pain-advice-value>6</strong> out of 10" in html
    assert "above 5 is too much" in html
    # CLINICAL.md: stop it for the day and come back to it at a lower load.
    assert "Do no more sets of this exercise today" in html
    assert "come back to it at a lower load" in html
    # Below the alert level the therapist is not alerted: the page does not say they are.
    assert re.findall(r"<p data-pain-alert( hidden)?>", html) == [" hidden"]


def _log_area(html: str) -> list[tuple[str, str]]:
    """Each card's log area: whether it is open, and whether its summary is hidden."""
    area = r'<details class="log-area" data-log-area( open)?>'
    return re.findall(area + r"\s*<summary data-log-area-summary( hidden)?>", html)


def test_after_too_much_pain_the_log_form_folds_away_but_a_set_done_can_still_be_logged(
    patient_a, program
):
    """CLINICAL.md: above 5 is "too much": stop that exercise for the day. Today stops
    offering its next set (the form is folded behind "Log a set you did before you
    stopped"); the other exercises keep theirs."""
    painful = ExerciseItemFactory(program=program, per_side=False)
    ExerciseItemFactory(program=program, per_side=False)
    log(painful, side="both", pain=6)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert _log_area(html) == [("", ""), (" open", " hidden")]
    assert "Log a set you did before you stopped" in html


def test_pain_within_the_limit_leaves_the_log_form_open(patient_a, program):
    item = ExerciseItemFactory(program=program, per_side=False)
    log(item, side="both", pain=5)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert _log_area(html) == [(" open", " hidden")]


def test_a_refused_set_on_a_stopped_exercise_is_shown_again_open(patient_a, program):
    """A set the patient did before stopping and sent without JavaScript, refused for a
    missing pain, comes back with its message in an open form, not folded away."""
    item = ExerciseItemFactory(program=program, per_side=False)
    log(item, side="both", pain=8)
    client = signed_in(patient_a.user)

    response = client.post(PAGE + "log/", form(item, side="both", pain=""))

    html = response.content.decode()
    assert response.status_code == 400
    assert _log_area(html) == [(" open", "")]
    assert SetLog.objects.count() == 1


def test_the_advice_follows_the_clinics_own_hold_back_level(patient_a, admin_a, program):
    from apps.clinics.services import clinic_settings_update

    clinic_settings_update(clinic=admin_a.clinic, actor=admin_a, pain_progression_limit=3)
    item = ExerciseItemFactory(program=program, per_side=False)
    log(item, side="both", pain=4)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "pain of <strong data-pain-advice-value>4</strong> out of 10" in html
    assert "above 3 is too much" in html
    assert "stay at 3 out of 10 or less" in html
    assert 'data-too-much-above="3"' in html


def test_a_hold_level_aims_at_the_top_of_the_prescribed_hold(patient_a, program):
    """CLINICAL.md: a hold-based level is passed at the top of the prescribed hold."""
    from apps.exercises.models import AdvanceRule, LadderLevel

    item = LadderItemFactory(
        program=program, reps=None, hold_seconds=10, hold_up_to=15, per_side=True
    )
    LadderLevel.objects.filter(ladder=item.ladder, level=1).update(
        advance_rule=AdvanceRule.HOLD, advance_target=30
    )

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert "Aim to hold for up to 15 seconds in one set on each side" in html
    assert "30 seconds" not in html


def test_a_ladder_item_shows_its_goal_and_starts_at_the_best_recent_count(patient_a, program):
    item = LadderItemFactory(program=program, reps=10, per_side=True)
    yesterday = TODAY - timedelta(days=1)
    for reps in (12, 16):
        set_log_record(
            patient=patient_a,
            item=item,
            client_id=uuid.uuid4(),
            performed_on=yesterday,
            side="left",
            reps=reps,
            pain=2,
        )

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert (
        "Aim for up to 20 reps in one set on each side; stop when your form slips or it hurts more "
        "than 5 out of 10." in html
    )
    assert f'id="reps-{item.public_id}" name="reps" value="16"' in html
    assert "<span data-amount-label>16 reps</span>" in html
    assert 'aria-label="One rep more for ' in html


def test_without_recent_sets_the_control_starts_at_the_prescription(patient_a, program):
    item = LadderItemFactory(program=program, reps=10, per_side=False)

    html = signed_in(patient_a.user).get(PAGE).content.decode()

    assert f'id="reps-{item.public_id}" name="reps" value="10"' in html
