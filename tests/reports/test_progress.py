"""The patient progress page: access, charts and their text alternatives, history, queries.

Time is frozen at Friday 14 March 2025, 12:00 UTC."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.programs.models import LevelChange
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory
from tests.programs.adherence_factories import log_both_sides, log_sets

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2025, 3, 14)  # a Friday
START = date(2025, 3, 3)  # the Monday two weeks before


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(patient, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/patients/{patient.public_id}/progress/{suffix}"


def chart_data(response):
    match = re.search(
        rb'<script id="progress-data" type="application/json">(.*?)</script>', response.content
    )
    assert match, "the chart data is embedded with json_script"
    return json.loads(match.group(1))


@pytest.fixture
def ladder_item(patient_a):
    plan = ProgramFactory(patient=patient_a, start_date=START)
    item = LadderItemFactory(
        program=plan,
        sets=1,
        per_side=True,
        current_level=2,
        previous_level=1,
        level_since=date(2025, 3, 10),
        ladder__name="Clamshell",
    )
    log_both_sides(item, date(2025, 3, 4), reps=12, ladder_level=1)
    log_sets(item, date(2025, 3, 5), 1, "left", reps=20, ladder_level=1, pain=4)
    log_sets(item, date(2025, 3, 5), 1, "right", reps=18, ladder_level=1, pain=8)
    log_both_sides(item, date(2025, 3, 11), reps=9, ladder_level=2)
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=date(2025, 3, 10), reason="20 reps"
    )
    return item


def test_staff_of_the_clinic_see_the_progress_page(therapist_a, patient_a, ladder_item):
    response = signed_in(therapist_a).get(url(patient_a))

    assert response.status_code == 200
    assert b'id="chart-weeks"' in response.content
    assert b'id="chart-pain"' in response.content
    assert b"js/progress-charts.js" in response.content
    assert b"vendor/chart.umd.js" in response.content


def test_another_clinic_patient_is_a_404(therapist_a, admin_a, patient_b):
    assert signed_in(therapist_a).get(url(patient_b)).status_code == 404
    assert signed_in(admin_a).get(url(patient_b)).status_code == 404


def test_a_patient_cannot_open_even_their_own_progress_page(patient_a):
    assert signed_in(patient_a.user).get(url(patient_a)).status_code == 403


def test_opening_the_page_is_audited_once(therapist_a, patient_a, ladder_item):
    signed_in(therapist_a).get(url(patient_a))

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.patient_id) == (
        Action.VIEW,
        therapist_a.pk,
        patient_a.pk,
    )
    assert entry.target_ref == str(patient_a.public_id)


def test_the_page_has_no_inline_script(therapist_a, patient_a, ladder_item):
    html = signed_in(therapist_a).get(url(patient_a)).content.decode()

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    assert "style=" not in html


def test_weekly_adherence_is_charted_and_tabled(therapist_a, patient_a, ladder_item):
    response = signed_in(therapist_a).get(url(patient_a))
    weeks = chart_data(response)["weeks"]

    # Week of 3 March: 7 days x 2 units, done 2 + 2; week of 10 March: 5 days so far, done 2.
    assert weeks == [
        {"start": "2025-03-03", "percent": 29, "completed": 4, "prescribed": 14},
        {"start": "2025-03-10", "percent": 20, "completed": 2, "prescribed": 10},
    ]
    assert b"Weekly adherence as a table" in response.content
    assert b"<td>29 %</td>" in response.content


def test_best_reps_per_level_and_level_changes_are_charted(therapist_a, patient_a, ladder_item):
    response = signed_in(therapist_a).get(url(patient_a))
    (ladder,) = chart_data(response)["ladders"]

    assert ladder["name"] == "Clamshell"
    assert ladder["points"] == [
        {"day": "2025-03-04", "x": 1, "level": 1, "reps": 12},
        {"day": "2025-03-05", "x": 2, "level": 1, "reps": 20},
        {"day": "2025-03-11", "x": 8, "level": 2, "reps": 9},
    ]
    assert ladder["changes"] == [{"day": "2025-03-10", "x": 7, "from": 1, "to": 2}]
    assert b"level 1 \xe2\x86\x92 2 (20 reps)" in response.content


def test_pain_is_charted_per_day(therapist_a, patient_a, ladder_item):
    data = chart_data(signed_in(therapist_a).get(url(patient_a)))

    assert data["pain"][1] == {"day": "2025-03-05", "x": 2, "max": 8, "avg": 6.0}
    assert data["pain_alert_level"] == 7


def test_the_day_charts_keep_days_without_sets_as_gaps(therapist_a, patient_a, ladder_item):
    # Sets on 4, 5 and 11 March: a category axis of those days drew them evenly spaced, as if
    # the patient had not missed 6 to 10 March. Each day's x is its distance from the start of
    # the charts, which run to today, so the missed days (and 12 to 14 March) stay on the axis.
    data = chart_data(signed_in(therapist_a).get(url(patient_a)))

    assert (data["start"], data["end_x"]) == ("2025-03-03", (TODAY - START).days)
    assert [p["x"] for p in data["pain"]] == [1, 2, 8]
    assert [p["x"] for p in data["ladders"][0]["points"]] == [1, 2, 8]


def test_the_log_history_is_paginated_newest_first(therapist_a, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a, start_date=START))
    for day in range(30):
        log_sets(item, START + timedelta(days=day % 12), note=f"set-{day:02d}")
    client = signed_in(therapist_a)

    first = client.get(url(patient_a))
    second = client.get(url(patient_a, page=2))

    days = [log.performed_on for log in first.context["logs"]]
    assert days == sorted(days, reverse=True)
    assert days[0] == date(2025, 3, 14)
    assert len(first.context["logs"]) == 25
    assert len(second.context["logs"]) == 5
    assert b"Page 2 of 2" in second.content


@pytest.mark.parametrize(
    ("page", "message"),
    [("two", b"not a whole number"), ("9", b"no such page"), ("0", b"start at 1")],
)
def test_a_bad_page_is_a_400(therapist_a, patient_a, page, message):
    response = signed_in(therapist_a).get(url(patient_a, page=page))

    assert response.status_code == 400
    assert message in response.content


def test_a_patient_without_programs_or_logs_gets_an_empty_page(therapist_a, patient_a):
    response = signed_in(therapist_a).get(url(patient_a))

    assert response.status_code == 200
    assert b"No sets logged yet." in response.content
    assert chart_data(response)["weeks"] == []


def test_a_draft_program_adds_no_empty_weeks_before_the_first_assigned_one(
    therapist_a, patient_a, ladder_item
):
    # A draft built weeks earlier and never assigned prescribes nothing: the weeks start
    # with the first program the patient was given.
    ProgramFactory(patient=patient_a, is_active=False, start_date=date(2025, 1, 6))

    weeks = chart_data(signed_in(therapist_a).get(url(patient_a)))["weeks"]

    assert [week["start"] for week in weeks] == ["2025-03-03", "2025-03-10"]


def test_the_page_takes_a_fixed_number_of_queries(
    therapist_a, patient_a, ladder_item, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    with django_assert_max_num_queries(40) as few:
        client.get(url(patient_a))
    plain = ExerciseItemFactory(program=ladder_item.program)
    for ago in range(60):
        day = TODAY - timedelta(days=ago)
        log_both_sides(ladder_item, day, reps=10 + ago % 7)
        log_both_sides(plain, day)
        LadderItemFactory(program=ladder_item.program, active_until=day)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(patient_a))

    assert response.status_code == 200
