"""Today on a day to go lighter (CLINICAL.md, pain-monitoring model): after a "worse"
next-morning answer, or the day after too much pain on an exercise, the reps control and the
one-tap buttons offer the prescription, never the patient's best (the rules themselves:
``test_today_goal.py``). Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import signed_in
from tests.factories import LadderItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
YESTERDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clam(patient_a):
    """Clam prescribed 2 sets of 10 a side; yesterday the patient did 20 on the left."""
    program = ProgramFactory(patient=patient_a, start_date=YESTERDAY - timedelta(days=7))
    item = LadderItemFactory(program=program, reps=10, per_side=True)
    SetLogFactory(item=item, side="left", performed_on=YESTERDAY, reps=20, pain=2)
    return item


def amounts(html: str, item) -> tuple[str, list[str]]:
    """The reps box's value and what each log button offers."""
    value = re.search(rf'id="reps-{item.public_id}" name="reps" value="(\d*)"', html)
    assert value is not None
    return value.group(1), re.findall(r"<span data-amount-label>([^<]*)</span>", html)


def test_after_a_worse_answer_the_buttons_offer_the_prescription_not_the_best(patient_a, clam):
    client = signed_in(patient_a.user)
    assert amounts(client.get("/today/").content.decode(), clam) == (
        "20",
        ["20 reps", "20 reps"],
    )

    client.post("/today/morning/", {"hip": "same", "stiffness": "worse"})

    html = client.get("/today/").content.decode()
    assert "Go lighter today" in html
    assert amounts(html, clam) == ("10", ["10 reps", "10 reps"])
    assert "Your hip is worse this morning: go lighter today" in html


def test_a_settled_answer_keeps_the_best_recent_count(patient_a, clam):
    client = signed_in(patient_a.user)

    client.post("/today/morning/", {"hip": "better", "stiffness": "same"})

    html = client.get("/today/").content.decode()
    assert amounts(html, clam) == ("20", ["20 reps", "20 reps"])
    assert "go lighter today" not in html


def test_while_the_question_waits_the_page_carries_the_lighter_amount_for_its_script(
    patient_a, clam
):
    """Answered with the page's script (offline too), the advice shows without a new page:
    the script lowers the amounts from what the card carries."""
    html = signed_in(patient_a.user).get("/today/").content.decode()

    note = re.search(
        r'class="go-lighter" data-lighter-morning data-prescribed="(\d*)" hidden', html
    )
    assert note is not None
    assert note.group(1) == "10"


def test_the_day_after_too_much_pain_the_buttons_offer_the_prescription(patient_a, clam):
    SetLogFactory(item=clam, side="right", performed_on=YESTERDAY, reps=20, pain=6)

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert amounts(html, clam) == ("10", ["10 reps", "10 reps"])
    assert (
        "Last time, this exercise hurt more than 5 out of 10: come back to it at a lower load "
        "today" in html
    )
    assert "data-lighter-morning" not in html  # already lighter: nothing for the script to do


def test_the_phones_plan_offers_the_prescription_after_a_worse_answer(patient_a, clam):
    """``log_amount`` in ``GET /api/v1/me/today/`` follows the same rule as the page."""
    client = signed_in(patient_a.user)
    assert client.get("/api/v1/me/today/").json()["items"][0]["log_amount"] == 20

    client.post("/api/v1/me/morning-check/", {"hip": "worse", "stiffness": "same"})

    assert client.get("/api/v1/me/today/").json()["items"][0]["log_amount"] == 10
