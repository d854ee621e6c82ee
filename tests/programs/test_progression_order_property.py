"""Property: the prompts and alerts a day's sets give are a function of the sets alone.

Any order of evaluating the day's logs, and any delay (a log evaluated before, between or
after the others are logged), ends in the same prompts (status, hold-back pain), ladder
levels, pain alerts and therapist emails as logging everything first and evaluating in order.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.notifications.models import PainAlert, StaffNotification
from apps.notifications.services import set_log_evaluate
from apps.patients.models import Side
from apps.programs.models import LevelChange, ProgramItem, ProgressionPrompt
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

LOG = st.tuples(
    st.sampled_from([Side.LEFT, Side.RIGHT]),
    st.sampled_from([8, 16, 19, 20, 24]),  # around the default threshold of 20
    st.integers(min_value=0, max_value=10),
)


@st.composite
def day_of_logs(draw: Any) -> tuple[list[tuple[str, int, int]], list[int], bool]:
    """The day's logs (in the order the patient logged them), the order of evaluation as
    events after each log is saved, and whether the item advances automatically."""
    logs = draw(st.lists(LOG, min_size=1, max_size=6))
    n = len(logs)
    order = draw(st.permutations(range(n)))
    # Log i is evaluated once ``ready[i]`` logs exist (at least itself): 1..n, so a log may
    # be evaluated at once, or late after later logs (a worker that was down, the sweep).
    ready = [draw(st.integers(min_value=i + 1, max_value=n)) for i in range(n)]
    schedule = sorted(range(n), key=lambda i: (ready[i], order.index(i)))
    return logs, schedule, draw(st.booleans())


def _run(logs: list[tuple[str, int, int]], schedule: list[int] | None, auto: bool) -> dict:
    item = LadderItemFactory(per_side=True, auto_advance=auto)
    created: list[Any] = []

    def log(i: int) -> None:
        side, reps, pain = logs[i]
        created.append(SetLogFactory(item=item, side=side, reps=reps, pain=pain))

    if schedule is None:  # the reference: everything logged, then evaluated in order
        for i in range(len(logs)):
            log(i)
        for entry in created:
            set_log_evaluate(log_id=entry.pk)
    else:
        for i in schedule:
            while len(created) <= i:
                log(len(created))
            set_log_evaluate(log_id=created[i].pk)
        while len(created) < len(logs):  # pragma: no cover - every log is in the schedule
            log(len(created))
    return _state(item=item, created=created)


def _state(*, item: Any, created: list[Any]) -> dict:
    index: dict[int | None, int] = {entry.pk: i for i, entry in enumerate(created)}
    patient: Any = item.program.patient
    item = ProgramItem.objects.get(pk=item.pk)
    prompts = ProgressionPrompt.objects.filter(patient=patient)
    alerts = PainAlert.objects.filter(patient=patient)
    return {
        "prompts": sorted(
            (p.level, p.next_level, p.status, p.held_back_pain, index.get(p.held_back_log_id))
            for p in prompts
        ),
        "level": (item.current_level, item.previous_level, item.level_since),
        "level_changes": sorted(
            LevelChange.objects.filter(item__program__patient=patient).values_list(
                "from_level", "to_level", "effective_on"
            )
        ),
        "alerts": sorted((a.local_date, a.pain, index.get(a.log_id)) for a in alerts),
        "emails": sorted(
            StaffNotification.objects.filter(recipient=patient.therapist).values_list(
                "kind", flat=True
            )
        ),
    }


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=day_of_logs())
def test_any_order_and_delay_of_evaluation_gives_the_same_prompts_and_alerts(day) -> None:
    logs, schedule, auto = day

    assert _run(logs, schedule, auto) == _run(logs, None, auto)
