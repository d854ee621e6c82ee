"""The demo ``make run`` starts with, seeded on the shared library: its programs, its week of
logs and what they raise, its outcome measures, and seeding it again changes nothing.

The library and the demo are seeded once for the module (about 5 s, as each test did), in a
transaction rolled back at its end; each test runs in a savepoint of it, and a test that
checks a second seed seeds once more. The demo seeded without the library is
``test_program_demo_without_library``."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction

from apps.clinics.models import Clinic
from apps.devdata.demo import DEMO_DAYS_AGO, seed_demo
from apps.patients.models import Patient
from apps.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """``load_library`` then ``seed_demo``, once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_library", verbosity=0)
        seed_demo()
        yield
        transaction.set_rollback(True)


def test_each_demo_patient_gets_a_program_started_a_week_ago_and_each_clinic_a_template():
    seed_demo()  # the second time

    assert Program.objects.filter(is_template=True).count() == 2
    for patient in Patient.objects.all():
        (program,) = patient.programs.all()
        assert program.is_active
        assert program.start_date == patient.local_today() - dt.timedelta(days=DEMO_DAYS_AGO)
        ladder, single, hold = program.items.order_by("position")
        assert (ladder.ladder.key, ladder.current_level, ladder.active_from) == (
            "clamshell-boren-2011",
            1,
            None,
        )
        assert single.exercise.key == "side-lying-hip-abduction"
        assert (hold.exercise.key, hold.hold_seconds, hold.reps) == ("gluteal-squeeze", 5, None)
        assert program.is_scheduled_on(program.start_date)


def test_the_demo_week_of_logs_raises_one_prompt_and_one_pain_alert_per_clinic():
    from apps.notifications.models import PainAlert
    from apps.programs.models import ProgressionPrompt, SetLog

    assert all(patient.set_logs.exists() for patient in Patient.objects.all())
    assert not SetLog.objects.filter(evaluated_at__isnull=True).exists(), "evaluated in bulk"
    assert ProgressionPrompt.objects.count() == 2
    assert set(ProgressionPrompt.objects.values_list("level", "next_level")) == {(1, 2)}
    assert PainAlert.objects.count() == 2


def test_seeding_queues_no_evaluation_task_only_the_staff_emails():
    """Hundreds of queued evaluations kept `make run`'s worker busy for minutes."""
    from apps.core.models import OutboxMessage
    from apps.notifications.models import StaffNotification

    seed_demo()  # the second time

    tasks = set(OutboxMessage.objects.values_list("task", flat=True))
    assert tasks == {"apps.notifications.tasks.deliver_notifications"}
    queued = [pk for message in OutboxMessage.objects.all() for pk in message.args[0]]
    assert sorted(queued) == sorted(StaffNotification.objects.values_list("pk", flat=True))
    assert queued


def test_the_demo_logs_have_their_daily_totals():
    from apps.programs.models import DailyTotal, SetLog

    logged = SetLog.objects.values("patient_id", "performed_on").distinct().count()
    assert DailyTotal.objects.count() == logged > 0


def test_the_demo_schedules_outcome_measures_with_the_start_answered_and_seeds_them_once():
    from apps.outcomes.instruments import Verdict
    from apps.outcomes.models import MeasurePlan, Questionnaire
    from apps.outcomes.selectors import due_questionnaires, patient_trends

    counts = (MeasurePlan.objects.count(), Questionnaire.objects.count())
    submitted = list(Questionnaire.objects.filter(status="submitted").values_list("pk", "scores"))

    seed_demo()

    assert (MeasurePlan.objects.count(), Questionnaire.objects.count()) == counts
    assert (
        list(Questionnaire.objects.filter(status="submitted").values_list("pk", "scores"))
        == submitted
    )
    for patient in Patient.objects.all():
        (program,) = patient.programs.all()
        assert set(program.measure_plans.values_list("instrument", flat=True)) == {"nprs", "psfs"}
        at_start = Questionnaire.objects.filter(program=program, due_on=program.start_date)
        assert set(at_start.values_list("instrument", "status")) == {
            ("nprs", "submitted"),
            ("psfs", "submitted"),
        }
        assert patient_trends(patient=patient)
    firsts = {Patient.objects.filter(clinic=c).earliest("pk") for c in Clinic.objects.all()}
    for patient in Patient.objects.all():
        due = {q.instrument for q in due_questionnaires(patient=patient)}
        # The clinic's first patient answered today's too (a trend of two points).
        assert due == (set() if patient in firsts else {"nprs", "psfs"})
    first = next(iter(firsts))
    trends = patient_trends(patient=first)
    assert [(len(t.points), t.verdict) for t in trends] == [(2, Verdict.IMPROVED)] * 2
    # Each answer at its own day (the charts place them by date), a week apart.
    start = first.programs.get().start_date
    for trend in trends:
        assert [p.submitted for p in trend.points] == [start, first.local_today()]
