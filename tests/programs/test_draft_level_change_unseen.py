"""A level changed on a patient's draft is part of the draft: until it is assigned, it is no
news for the patient's Today, no point on the progress chart and no line of the referrer's
report. A draft's Reverse clamshell "level 1 -> 2" showed on the progress page of a patient
who had never been given that ladder."""

from datetime import timedelta

import pytest

from apps.exercises.loading import library_load
from apps.exercises.models import Ladder
from apps.outcomes.report_selectors import report_data
from apps.programs.assign_services import program_assign
from apps.programs.models import ProgramItem
from apps.programs.prompt_decisions import item_level_set
from apps.programs.selectors import today_plan
from apps.reports.selectors import patient_progress
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _ladder_item(program, key, **dose):
    ladder = Ladder.objects.get(key=key, clinic=None)
    return ProgramItem.objects.create(
        program=program, ladder=ladder, current_level=1, per_side=True, **dose
    )


@pytest.fixture
def draft(db, patient_a, therapist_a):
    """A running clamshell ladder moved up from tomorrow, and a draft whose reverse-clamshell
    ladder was moved up too."""
    library_load()
    today = patient_a.local_today()
    running = ProgramFactory(patient=patient_a, start_date=today - timedelta(days=7))
    clam = _ladder_item(running, "clamshell-boren-2011", sets=2, reps=10)
    item_level_set(item=clam, user=therapist_a, level=2, reason="Ready for level 2")
    draft = ProgramFactory(patient=patient_a, is_active=False, start_date=today, name="Draft")
    stretch = _ladder_item(draft, "reverse-clamshell", sets=1, hold_seconds=20, hold_up_to=30)
    item_level_set(item=stretch, user=therapist_a, level=2, reason="Stretch is easy")
    return draft


def test_todays_news_leaves_a_drafts_level_out(draft, patient_a):
    tomorrow = patient_a.local_today() + timedelta(days=1)

    changes = today_plan(patient=patient_a, on=tomorrow).level_changes

    assert [c.ladder_name for c in changes] == ["Clamshell (Boren 2011)"]


def test_the_progress_chart_leaves_a_drafts_ladder_out(draft, patient_a):
    ladders = patient_progress(patient=patient_a).ladders

    assert [ladder.name for ladder in ladders] == ["Clamshell (Boren 2011)"]


def test_the_referrers_report_leaves_a_drafts_level_out(draft, patient_a, therapist_a):
    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert [c["ladder"] for c in data["level_changes"]] == ["Clamshell (Boren 2011)"]


def test_once_assigned_the_drafts_level_change_is_shown(draft, patient_a, therapist_a):
    program_assign(
        actor=therapist_a, program=draft, patient=patient_a, confirm_duplicate_ladder=True
    )

    names = {ladder.name for ladder in patient_progress(patient=patient_a).ladders}
    assert names == {"Clamshell (Boren 2011)", "Reverse clamshell"}
