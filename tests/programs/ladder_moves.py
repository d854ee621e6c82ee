"""A ladder item moved twice (1→2→3) on two dates, for the readers of past days' levels: the
row remembers only the last change (level 2 before 3), so a day at level 1 reads 2 unless
the reader looks at the history of changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from apps.programs.levels import set_level
from apps.programs.models import ProgramItem
from tests.factories import LadderItemFactory, ProgramFactory

LONDON = ZoneInfo("Europe/London")
START = date(2026, 3, 2)  # a Monday: the program starts at level 1
TO_TWO = date(2026, 3, 5)  # level 2 from Thursday (set on Wednesday)
TO_THREE = date(2026, 3, 9)  # level 3 from the next Monday (set on Sunday)
AT_ONE, AT_TWO, AT_THREE = date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 10)
TODAY = date(2026, 3, 12)


def travel(day: date) -> Any:
    return time_machine.travel(datetime.combine(day, datetime.min.time(), LONDON).replace(hour=12))


def moved_twice(patient: Any, **item: Any) -> ProgramItem:
    """A ladder item of a new program of ``patient``, every day from ``START``: level 1, then 2
    from ``TO_TWO``, then 3 from ``TO_THREE``, each moved the day before as the app does."""
    with travel(START):
        program = ProgramFactory(patient=patient, start_date=START)
        made = LadderItemFactory(program=program, per_side=False, **item)
    for level, first_day in ((2, TO_TWO), (3, TO_THREE)):
        with travel(first_day - timedelta(days=1)):
            row = ProgramItem.objects.get(pk=made.pk)
            set_level(item=row, to_level=level, changed_by=None, reason=f"On to {level}.")
    row.refresh_from_db()
    assert (row.previous_level, row.current_level, row.level_since) == (2, 3, TO_THREE)
    return row


def exercise_at(row: ProgramItem, level: int) -> Any:
    assert row.ladder is not None
    return row.ladder.levels.get(level=level).exercise
