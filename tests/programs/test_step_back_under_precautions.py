"""An automatic advance taken back days later (a painful set of the qualifying day synced late)
steps the patient back even when the lower level's exercise now runs into hip precautions set
since: reducing the load is never refused. The lower level is then held back (left out of
Today) until the therapist decides; refusing the step back kept the patient on the harder
level and failed the log's evaluation, with its pain alert, on every retry."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.notifications.models import PainAlert
from apps.notifications.services import set_log_evaluate
from apps.patients.precautions import precaution_set
from apps.programs.models import LevelChange, ProgressionPrompt, PromptStatus
from apps.programs.selectors import today_plan
from tests.factories import LadderItemFactory, StaffFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 3, 10, 18, 0, tzinfo=ZoneInfo("Europe/London"))


def test_a_late_painful_set_steps_back_to_a_level_the_precautions_now_hold_back():
    with time_machine.travel(DAY, tick=False):
        item = LadderItemFactory(per_side=False, auto_advance=True)
        level_one = item.ladder.levels.get(level=1).exercise
        level_one.hip_movements = ["internal_rotation"]
        level_one.save(update_fields=["hip_movements"])
        patient = item.program.patient
        qualifying = SetLogFactory(item=item, reps=20, pain=2)
        set_log_evaluate(log_id=qualifying.pk)
    item.refresh_from_db()
    assert item.current_level == 2  # moved up automatically from 11 March

    with time_machine.travel(DAY + timedelta(days=2), tick=False):
        precaution_set(
            actor=StaffFactory(clinic=patient.clinic), patient=patient, kind="custom",
            movements=["internal_rotation"], starts_on=date(2026, 3, 12),
            ends_on=date(2026, 4, 30),
        )  # fmt: skip
    with time_machine.travel(DAY + timedelta(days=3), tick=False):
        late = SetLogFactory(item=item, reps=12, pain=8, performed_on=date(2026, 3, 10))
        set_log_evaluate(log_id=late.pk)
        plan = today_plan(patient=patient, on=patient.local_today() + timedelta(days=1))

    item.refresh_from_db()
    prompt = ProgressionPrompt.objects.get()
    assert (prompt.status, prompt.held_back_pain) == (PromptStatus.PENDING, 8)
    assert item.current_level == 1
    assert LevelChange.objects.filter(to_level=1, changed_by__isnull=True).exists()
    assert PainAlert.objects.filter(patient=patient, pain=8).exists()
    assert plan.items == []  # level 1 runs into the precautions: held back, not offered
