"""Advance rules per ladder level: reps in one set (default the ladder's 20), seconds held in
one set (the windshield wiper: 30 s each side, the clinic's default, CLINICAL.md), each
optionally on N separate days; the prompt says which rule was met on which days."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from apps.exercises.models import AdvanceRule, Ladder, LadderLevel
from apps.patients.models import Side
from apps.programs.progression import prompt_for_log
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def held(item, seconds, side, **extra):
    return SetLogFactory(item=item, side=side, reps=None, hold_seconds=seconds, **extra)


@pytest.fixture
def wiper_item():
    call_command("load_library", stdout=io.StringIO())
    ladder = Ladder.objects.get(key="reverse-clamshell", clinic__isnull=True)
    # The stretch as the library prescribes it: a 20-30 s hold on each side.
    return LadderItemFactory(
        ladder=ladder, reps=None, hold_seconds=20, hold_up_to=30, sets=1, per_side=True
    )


def test_the_windshield_wiper_level_advances_on_a_30_second_hold_each_side(wiper_item):
    level = LadderLevel.objects.get(ladder=wiper_item.ladder, level=1)
    assert (level.advance_rule, level.advance_target) == (AdvanceRule.HOLD, 30)

    assert prompt_for_log(log=held(wiper_item, 30, Side.LEFT)) == (None, False)
    assert prompt_for_log(log=held(wiper_item, 29, Side.RIGHT)) == (None, False)

    prompt, created = prompt_for_log(log=held(wiper_item, 30, Side.RIGHT))

    assert created
    assert (prompt.level, prompt.next_level) == (1, 2)
    assert prompt.rule_met.startswith("a 30-second hold in one set on each side: ")


@pytest.mark.parametrize(("hold", "up_to", "top"), [(10, 15, 15), (20, None, 20), (20, 40, 40)])
def test_a_hold_level_is_passed_at_the_top_of_the_hold_the_item_prescribes(
    wiper_item, hold, up_to, top
):
    """CLINICAL.md: the default for a hold-based level is reaching the top of its prescribed
    hold in one set on each side: a patient prescribed 10-15 s is never asked for 30."""
    wiper_item.hold_seconds, wiper_item.hold_up_to = hold, up_to
    wiper_item.save(update_fields=["hold_seconds", "hold_up_to"])

    held(wiper_item, top, Side.LEFT)
    assert prompt_for_log(log=held(wiper_item, top - 1, Side.RIGHT)) == (None, False)
    prompt, created = prompt_for_log(log=held(wiper_item, top, Side.RIGHT))

    assert created
    assert prompt.rule_met.startswith(f"a {top}-second hold in one set on each side: ")


def test_the_other_levels_of_that_ladder_still_advance_on_20_reps(wiper_item):
    levels = LadderLevel.objects.filter(ladder=wiper_item.ladder, level__gt=1)
    assert {(lv.advance_rule, lv.target_for(wiper_item.ladder)) for lv in levels} == {("reps", 20)}


def test_a_rule_on_two_separate_days_needs_two_days(db):
    item = LadderItemFactory(per_side=False)
    LadderLevel.objects.filter(ladder=item.ladder, level=1).update(advance_days=2)
    today = item.program.patient.local_today()

    first = SetLogFactory(item=item, reps=20, performed_on=today - timedelta(days=2))
    assert prompt_for_log(log=first) == (None, False)
    same_day = SetLogFactory(item=item, reps=22, performed_on=today - timedelta(days=2))
    assert prompt_for_log(log=same_day) == (None, False)

    prompt, created = prompt_for_log(log=SetLogFactory(item=item, reps=20, performed_on=today))

    assert created
    days = ", ".join(d.strftime("%a %-d %b") for d in (today - timedelta(days=2), today))
    assert prompt.rule_met == f"20 reps in one set, on 2 separate days: {days}"


def test_a_level_target_overrides_the_ladder_threshold(db):
    item = LadderItemFactory(per_side=False)
    LadderLevel.objects.filter(ladder=item.ladder, level=1).update(advance_target=12)

    assert prompt_for_log(log=SetLogFactory(item=item, reps=11)) == (None, False)
    assert prompt_for_log(log=SetLogFactory(item=item, reps=12))[1] is True


@pytest.mark.parametrize(
    "values",
    [
        {"advance_target": 0},
        {"advance_days": 0},
        {"advance_rule": "hold", "advance_target": None},
    ],
)
def test_the_database_refuses_a_rule_of_zero_or_a_hold_without_seconds(db, values):
    item = LadderItemFactory(per_side=False)

    with pytest.raises(IntegrityError):
        LadderLevel.objects.filter(ladder=item.ladder, level=1).update(**values)
