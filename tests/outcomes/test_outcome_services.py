"""Scheduling, answering and submitting questionnaires; licensed wording; the time log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from apps.core.once import ClientIdReused
from apps.outcomes import monitoring_services, services
from apps.outcomes.instruments import HOOS12, LEFS
from apps.outcomes.models import Answer, ClinicWording, Questionnaire, Status, TimeEntry
from apps.outcomes.selectors import due_questionnaires, patient_trends, questions
from apps.outcomes.services import OPTION_KEYS
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import AdminFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _admin(**kwargs: Any) -> User:
    return cast(User, AdminFactory(**kwargs))


def _patient() -> Patient:
    return cast(Patient, PatientFactory())


def _program(days_ago: int = 0, length: int | None = 42) -> Program:
    patient = _patient()
    start = patient.local_today() - dt.timedelta(days=days_ago)
    end = start + dt.timedelta(days=length) if length else None
    return cast(Program, ProgramFactory(patient=patient, start_date=start, end_date=end))


def _owner(program: Program) -> Patient:
    assert program.patient is not None
    return program.patient


def _schedule(program: Program, codes: tuple[str, ...] = ("nprs", "psfs")) -> None:
    services.measures_set(user=program.created_by, program=program, instruments=codes)


def _due(program: Program, code: str) -> list[dt.date]:
    rows = Questionnaire.objects.filter(program=program, instrument=code).order_by("due_on")
    return [q.due_on for q in rows]


# --- Scheduling ----------------------------------------------------------------------------
def test_it_schedules_at_start_every_two_weeks_and_at_the_end() -> None:
    program = _program(length=35)
    _schedule(program)
    start = program.start_date
    assert start is not None
    expected = [start + dt.timedelta(days=d) for d in (0, 14, 28, 35)]
    assert _due(program, "nprs") == expected
    assert _due(program, "psfs") == expected


def test_groc_is_not_asked_at_the_start() -> None:
    program = _program(length=28)
    _schedule(program, ("groc",))
    start = program.start_date
    assert start is not None
    assert _due(program, "groc") == [start + dt.timedelta(days=14), start + dt.timedelta(days=28)]


def test_scheduling_twice_creates_nothing_new_and_removing_drops_unstarted() -> None:
    program = _program()
    _schedule(program)
    count = Questionnaire.objects.count()
    _schedule(program)
    assert Questionnaire.objects.count() == count
    _schedule(program, ("nprs",))
    assert not Questionnaire.objects.filter(program=program, instrument="psfs").exists()


def test_licensed_measures_cannot_be_scheduled_without_the_clinics_wording() -> None:
    program = _program()
    with pytest.raises(ValidationError) as caught:
        _schedule(program, ("lefs",))
    assert "instruments" in caught.value.message_dict
    assert not Questionnaire.objects.exists()


def test_an_unknown_measure_or_interval_is_refused() -> None:
    program = _program()
    with pytest.raises(ValidationError):
        _schedule(program, ("sf36",))
    with pytest.raises(ValidationError):
        services.measures_set(
            user=program.created_by, program=program, instruments=["nprs"], interval_days=3
        )
    assert not Questionnaire.objects.exists()


def test_today_shows_the_latest_open_one_per_measure() -> None:
    program = _program(days_ago=15)
    _schedule(program)
    due = due_questionnaires(patient=_owner(program))
    start = program.start_date
    assert start is not None
    assert sorted((q.instrument, q.due_on) for q in due) == [
        ("nprs", start + dt.timedelta(days=14)),
        ("psfs", start + dt.timedelta(days=14)),
    ]


# --- Answering -----------------------------------------------------------------------------
def _first(program: Program, code: str) -> Questionnaire:
    return Questionnaire.objects.filter(program=program, instrument=code).order_by("due_on")[0]


def test_answers_save_per_item_and_resume() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    names = ["Climbing stairs", "Getting out of a car", "Walking 2 km"]
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={"activity_1": 3}, activities=names
    )
    q.refresh_from_db()
    shown = questions(q)
    assert [(x.text, x.value) for x in shown] == [(names[0], 3), (names[1], None), (names[2], None)]
    assert q.status == Status.OPEN
    assert q.started_at is not None


def test_submitting_scores_it_and_a_retry_with_the_same_id_saves_once() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "nprs")
    sid = uuid.uuid4()
    first = services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=sid, answers={"pain": 6}
    )
    again = services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=sid, answers={"pain": 6}
    )
    # Under the same id with another answer: refused, naming it, not answered as saved.
    with pytest.raises(ClientIdReused) as refused:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=sid, answers={"pain": 2}
        )
    assert refused.value.fields == ["pain"]
    assert first.scores == {"pain": "6"}
    assert again.scores == {"pain": "6"}
    assert Answer.objects.get(questionnaire=q).value == 6
    assert AuditEntry.objects.filter(target_ref=str(q.public_id)).count() == 1


def test_a_second_submission_with_another_id_is_refused() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "nprs")
    services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(), answers={"pain": 6}
    )
    with pytest.raises(ValidationError):
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
            answers={"pain": 2},
        )  # fmt: skip
    assert Answer.objects.get(questionnaire=q).value == 6


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"pain": 11}, "pain"), ({"pain": -1}, "pain"), ({"pain": "6"}, "pain"), ({}, "answers")],
)
def test_bad_answers_are_refused_and_nothing_is_saved(answers: dict, field: str) -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "nprs")
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(), answers=answers
        )
    assert field in caught.value.message_dict
    q.refresh_from_db()
    assert q.status == Status.OPEN
    assert not Answer.objects.filter(questionnaire=q).exists()


@pytest.mark.parametrize("count", [2, 6])
def test_psfs_is_sent_with_three_to_five_activities(count: int) -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    names = [f"Activity {n}" for n in range(count)]
    answers = {f"activity_{n}": 5 for n in range(1, min(count, 5) + 1)}
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
            answers=answers, activities=names,
        )  # fmt: skip
    assert "activities" in caught.value.message_dict
    q.refresh_from_db()
    assert (q.status, q.activities) == (Status.OPEN, [])


def test_more_than_five_psfs_activities_are_not_saved_either() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    names = [f"Activity {n}" for n in range(6)]
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_answer(
            patient=_owner(program), questionnaire=q, answers={}, activities=names
        )
    assert "activities" in caught.value.message_dict
    q.refresh_from_db()
    assert q.activities == []


def test_a_first_psfs_saved_before_three_activities_are_named_keeps_what_was_done() -> None:
    """Saving as you go starts with the first rating: two named activities and their
    ratings are kept, and the rule of three applies when the questionnaire is sent."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={"activity_1": 4, "activity_2": 6},
        activities=["Stairs", "Car", "", "", ""],
    )  # fmt: skip
    q.refresh_from_db()
    assert [(x.text, x.value) for x in questions(q)] == [("Stairs", 4), ("Car", 6)]
    assert q.status == Status.OPEN


def test_renamed_or_cleared_psfs_activities_keep_each_rating_with_its_activity() -> None:
    """Names stay editable until the PSFS is sent: a rating follows its activity's name when
    another slot is cleared, and the cleared activity's rating goes with it."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q,
        answers={"activity_1": 1, "activity_2": 2, "activity_3": 3},
        activities=["Stairs", "Car", "Walk", "Garden"],
    )  # fmt: skip
    # Activity 2 cleared; only activity 1's rating is sent again (an API client may send
    # some answers): Walk keeps its 3, Garden is still unrated, Car's 2 is gone.
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={"activity_1": 5},
        activities=["Stairs", "", "Walk", "Garden"],
    )  # fmt: skip
    q.refresh_from_db()
    assert [(x.text, x.value) for x in questions(q)] == [
        ("Stairs", 5), ("Walk", 3), ("Garden", None)
    ]  # fmt: skip
    sent = services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
        answers={"activity_3": 8},
    )  # fmt: skip
    assert sent.scores == {"function": "5.3"}  # (5 + 3 + 8) / 3: nothing stale counted


@pytest.mark.parametrize("count", [3, 5])
def test_psfs_is_sent_and_scored_with_three_or_five_activities(count: int) -> None:
    """CLINICAL.md: PSFS, 3-5 activities the patient names, each 0-10, scored as the mean.
    The ends of the range are sent, not only refused beyond them."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    names = [f"Activity {n}" for n in range(1, count + 1)]
    answers = {f"activity_{n}": n for n in range(1, count + 1)}
    sent = services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
        answers=answers, activities=names,
    )  # fmt: skip
    assert (sent.status, sent.activities) == (Status.SUBMITTED, names)
    assert sent.scores == {"function": "2.0" if count == 3 else "3.0"}  # 6/3, 15/5


def test_a_psfs_activity_is_named_in_80_characters_at_most() -> None:
    """The page tells the patient "80 characters or fewer": 80 is kept, 81 refused."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={}, activities=["a" * 80]
    )
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_answer(
            patient=_owner(program), questionnaire=q, answers={}, activities=["b" * 81]
        )
    assert "activities" in caught.value.message_dict
    q.refresh_from_db()
    assert q.activities == ["a" * 80]


def test_a_draft_psfs_with_every_name_cleared_keeps_no_names_and_no_ratings() -> None:
    """Names stay editable until the PSFS is sent: clearing all of them clears their
    ratings too; the saved names do not come back, and sending it asks for 3 to 5 again
    rather than scoring activities the patient removed."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q,
        answers={"activity_1": 2, "activity_2": 4, "activity_3": 6},
        activities=["Stairs", "Car", "Walk"],
    )  # fmt: skip
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={}, activities=["", "", ""]
    )
    q.refresh_from_db()
    assert (q.activities, questions(q)) == ([], [])
    assert not Answer.objects.filter(questionnaire=q).exists()
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
            answers={}, activities=["", "", ""],
        )  # fmt: skip
    assert "activities" in caught.value.message_dict


def test_a_zero_rating_of_an_unnamed_psfs_activity_is_refused() -> None:
    """0 ("I cannot do it") is a rating like any other (CLINICAL.md: each activity 0-10):
    given to an empty slot it is refused, not moved onto the activity that closes up into
    that slot (here Walk would have read 0 instead of 7)."""
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_answer(
            patient=_owner(program), questionnaire=q,
            answers={"activity_1": 4, "activity_3": 7, "activity_2": 0},
            activities=["Stairs", "", "Walk", "Car"],
        )  # fmt: skip
    assert "activity_2" in caught.value.message_dict
    assert not Answer.objects.filter(questionnaire=q).exists()


def test_two_draft_psfs_activities_of_the_same_name_each_keep_their_rating() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q,
        answers={"activity_1": 1, "activity_2": 2, "activity_3": 3},
        activities=["Stairs", "Stairs", "Walk"],
    )  # fmt: skip
    services.questionnaire_answer(
        patient=_owner(program), questionnaire=q, answers={},
        activities=["Stairs", "Stairs", "Car"],
    )  # fmt: skip
    q.refresh_from_db()
    assert [(x.text, x.value) for x in questions(q)] == [
        ("Stairs", 1), ("Stairs", 2), ("Car", None)
    ]  # fmt: skip


def test_someone_elses_questionnaire_is_refused() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "nprs")
    with pytest.raises(ValidationError):
        services.questionnaire_submit(
            patient=_patient(), questionnaire=q, submission_id=uuid.uuid4(),
            answers={"pain": 3},
        )  # fmt: skip
    assert not Answer.objects.exists()


def _submit_psfs(program: Program, q: Questionnaire, values: list[int], names: list[str] | None):
    answers = {f"activity_{n}": v for n, v in enumerate(values, start=1)}
    return services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(), answers=answers,
        activities=names,
    )  # fmt: skip


def test_later_psfs_rerates_the_same_activities_and_the_trend_has_a_verdict() -> None:
    program = _program(days_ago=14)
    _schedule(program)
    first, second = Questionnaire.objects.filter(program=program, instrument="psfs")[:2]
    names = ["Stairs", "Car", "Walking"]
    _submit_psfs(program, first, [3, 4, 6], names)  # mean 4.3
    with pytest.raises(ValidationError):
        _submit_psfs(program, second, [5, 6, 8], ["Running", "Car", "Walking"])
    _submit_psfs(program, second, [6, 6, 8], None)  # mean 6.7: +2.4
    second.refresh_from_db()
    assert second.activities == names
    (trend,) = [t for t in patient_trends(patient=_owner(program)) if t.spec.short == "PSFS"]
    assert (str(trend.baseline), str(trend.latest)) == ("4.3", "6.7")
    assert trend.verdict == "meaningful improvement"
    # One activity is judged against its MDC (3 points), which says only whether the change
    # is beyond measurement error: stairs 3 -> 6 is, car 4 -> 6 and walking 6 -> 8 are not.
    assert [(a.name, a.baseline, a.latest, a.verdict) for a in trend.activities] == [
        ("Stairs", 3, 6, "better, beyond measurement error"),
        ("Car", 4, 6, "within measurement error"),
        ("Walking", 6, 8, "within measurement error"),
    ]
    data = trend.as_dict()
    assert data["activities"][0] == {
        "name": "Stairs", "baseline": 3, "latest": 6, "verdict": "better, beyond measurement error"
    }  # fmt: skip
    assert data["meaningful_change"] == (
        "MID 1.3 / 2.3 / 2.7 points for a small / medium / large change (Abbott & Schmitt 2014)"
    )
    assert data["measurement_error"] == (
        "MDC 2 points for the mean, 3 points for one activity (90 % CI)"
    )
    assert data["verdict_needs"].startswith("2 points (beyond measurement error for the mean")


# --- Licensed wording ----------------------------------------------------------------------
def _rows(keys: tuple[str, ...]) -> dict[str, str]:
    return {key: f"Clinic text for {key}" for key in (*keys, *OPTION_KEYS)}


def test_a_clinics_wording_makes_lefs_schedulable() -> None:
    program = _program()
    admin = _admin(clinic=program.clinic)
    services.wording_load(admin=admin, instrument="lefs", rows=_rows(LEFS.item_keys))
    _schedule(program, ("lefs",))
    q = _first(program, "lefs")
    assert questions(q)[0].text == "Clinic text for item_1"


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.pop("item_20"),
        lambda rows: rows.update(item_21="extra"),
        lambda rows: rows.update(item_3="  "),
        lambda rows: rows.pop("option_4"),
    ],
)
def test_wording_that_does_not_match_the_structure_is_refused(change) -> None:
    admin = _admin()
    rows = _rows(LEFS.item_keys)
    change(rows)
    with pytest.raises(ValidationError):
        services.wording_load(admin=admin, instrument="lefs", rows=rows)
    assert not ClinicWording.objects.exists()


def test_hoos12_submits_with_two_of_four_per_scale_and_not_with_one() -> None:
    program = _program()
    admin = _admin(clinic=program.clinic)
    services.wording_load(admin=admin, instrument="hoos12", rows=_rows(HOOS12.item_keys))
    _schedule(program, ("hoos12",))
    q = _first(program, "hoos12")
    two_each = {"pain_1": 1, "pain_2": 3, "function_1": 0, "function_4": 2, "qol_2": 4}
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
            answers=two_each,
        )  # fmt: skip
    assert "Quality of life (answer at least 2 of its 4)" in str(caught.value)
    assert not Answer.objects.filter(questionnaire=q).exists()

    # Pain (1+3)/2 = 2 -> 100 - 2/4*100 = 50; function (0+2)/2 = 1 -> 75; QOL (4+0)/2 -> 50.
    submitted = services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
        answers=two_each | {"qol_3": 0},
    )  # fmt: skip
    assert submitted.scores == {"pain": "50.0", "function": "75.0", "qol": "50.0"}


def test_wording_parses_from_a_csv_upload() -> None:
    text = "key,text\n" + "".join(f'{k},"Text, {k}"\n' for k in (*HOOS12.item_keys, *OPTION_KEYS))
    rows = services.wording_parse_csv(text.encode())
    wording = services.wording_load(admin=_admin(), instrument="hoos12", rows=rows)
    assert wording.items["qol_4"] == "Text, qol_4"
    with pytest.raises(ValidationError):
        services.wording_parse_csv(b"pain_1,a,b\n")


def test_our_own_instruments_take_no_clinic_wording() -> None:
    with pytest.raises(ValidationError):
        services.wording_load(admin=_admin(), instrument="nprs", rows={"pain": "x"})


# --- Time log ------------------------------------------------------------------------------
def _monitored_patient() -> Patient:
    """A patient of a clinic that runs the remote-monitoring summary."""
    patient = _patient()
    monitoring_services.monitoring_set(admin=_admin(clinic=patient.clinic), enabled=True)
    return patient


@pytest.mark.parametrize(
    ("minutes", "days_ahead", "field"),
    [(0, 0, "minutes"), (601, 0, "minutes"), (10, 1, "on"), (10, -1, "on"), (10, -45_000, "on")],
)
def test_bad_time_entries_are_refused(minutes: int, days_ahead: int, field: str) -> None:
    """Not in the future, and not before the patient was added (today here): a typo such
    as 1900 would bill a month nobody monitored."""
    patient = _monitored_patient()
    with pytest.raises(ValidationError) as caught:
        monitoring_services.time_entry_add(
            user=patient.therapist, patient=patient, minutes=minutes, activity="Reviewed logs",
            on=patient.local_today() + dt.timedelta(days=days_ahead), live_interaction=False,
        )  # fmt: skip
    assert field in caught.value.message_dict
    assert not TimeEntry.objects.exists()


def test_no_minutes_are_logged_while_the_clinic_has_remote_monitoring_off() -> None:
    patient = _patient()
    with pytest.raises(ValidationError) as caught:
        monitoring_services.time_entry_add(
            user=patient.therapist, patient=patient, minutes=20, activity="Call",
            on=patient.local_today(), live_interaction=True,
        )  # fmt: skip
    assert caught.value.messages == [monitoring_services.MONITORING_OFF]
    assert not TimeEntry.objects.exists()


def test_a_time_entry_of_600_minutes_today_is_kept() -> None:
    patient = _monitored_patient()
    entry, created = monitoring_services.time_entry_add(
        user=patient.therapist, patient=patient, minutes=600, activity="Call",
        on=patient.local_today(), live_interaction=True,
    )  # fmt: skip
    assert (entry.minutes, created) == (600, True)


def test_a_time_entry_sent_again_with_its_client_id_is_logged_once() -> None:
    patient = _monitored_patient()
    client_id = uuid.uuid4()
    given: dict[str, Any] = {
        "user": patient.therapist, "patient": patient, "minutes": 20, "activity": "Call",
        "on": patient.local_today(), "live_interaction": True, "client_id": client_id,
    }  # fmt: skip

    first, created = monitoring_services.time_entry_add(**given)
    again, created_again = monitoring_services.time_entry_add(**given)

    # Minutes are billed: a retried request must not count them twice.
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert TimeEntry.objects.count() == 1
    other = _monitored_patient()
    with pytest.raises(ValidationError) as caught:
        monitoring_services.time_entry_add(**given | {"user": other.therapist, "patient": other})
    assert "client_id" in caught.value.message_dict


def test_the_daily_sync_follows_a_changed_end_date_and_is_safe_twice() -> None:
    program = _program(length=28)
    _schedule(program, ("nprs",))
    start = program.start_date
    assert start is not None
    program.end_date = start + dt.timedelta(days=42)
    program.save(update_fields=["end_date"])
    from apps.outcomes.tasks import sync_questionnaires

    assert sync_questionnaires() == 1
    assert sync_questionnaires() == 1
    assert _due(program, "nprs") == [start + dt.timedelta(days=d) for d in (0, 14, 28, 42)]


# --- Programs that change --------------------------------------------------------------------
def _run_outbox(task: str) -> list[Any]:
    """Run the outbox rows for ``task`` inline, as the worker would (twice: safe to repeat)."""
    from apps.core.models import OutboxMessage
    from apps.outcomes import tasks

    rows = list(OutboxMessage.objects.filter(task=task).values_list("args", flat=True))
    function = getattr(tasks, task.rsplit(".", 1)[1])
    return [function(*args) for args in rows for _ in range(2)]


def test_changing_a_programs_end_date_reschedules_through_the_outbox() -> None:
    from apps.programs.edit_services import program_schedule_update

    program = _program(length=28)
    _schedule(program, ("nprs",))
    start = program.start_date
    assert start is not None
    program_schedule_update(
        actor=program.created_by, program=program, weekdays=range(7), start_date=start,
        end_date=start + dt.timedelta(days=42),
    )  # fmt: skip
    assert _due(program, "nprs") == [start + dt.timedelta(days=d) for d in (0, 14, 28)]
    _run_outbox("apps.outcomes.tasks.program_rescheduled")
    assert _due(program, "nprs") == [start + dt.timedelta(days=d) for d in (0, 14, 28, 42)]


def test_a_program_continued_on_new_weekdays_keeps_its_measures_cadence_and_activities() -> None:
    from apps.programs.edit_services import program_schedule_update

    program = _program(days_ago=20, length=42)
    _schedule(program)
    start = program.start_date
    assert start is not None
    names = ["Climbing stairs", "Getting out of a car", "Walking 2 km"]
    services.questionnaire_submit(
        patient=_owner(program), questionnaire=_first(program, "psfs"),
        submission_id=uuid.uuid4(), answers={"activity_1": 3, "activity_2": 4, "activity_3": 5},
        activities=names,
    )  # fmt: skip
    follow_on = program_schedule_update(
        actor=program.created_by, program=program, weekdays=[0, 2, 4], start_date=start,
        end_date=start + dt.timedelta(days=42),
    )  # fmt: skip
    assert follow_on.pk != program.pk
    assert _run_outbox("apps.outcomes.tasks.program_continued") == [2, 0]  # moved once

    # Every 14 days from the first version's start, and its end; nothing at the new start.
    assert _due(follow_on, "nprs") == [start + dt.timedelta(days=d) for d in (28, 42)]
    assert _due(follow_on, "psfs") == [start + dt.timedelta(days=d) for d in (28, 42)]
    assert not services.MeasurePlan.objects.filter(program=program).exists()
    assert _due(program, "nprs") == [start, start + dt.timedelta(days=14)]
    assert [x.text for x in questions(_first(follow_on, "psfs"))] == names


def test_what_is_still_to_answer_is_said_in_the_pages_words_not_item_keys() -> None:
    program = _program()
    _schedule(program)
    q = _first(program, "psfs")
    names = ["Climbing stairs", "Getting out of a car", "Walking 2 km"]
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
            answers={"activity_1": 4, "activity_3": 6}, activities=names,
        )  # fmt: skip
    assert caught.value.message_dict["answers"] == [
        "Still to answer: activity 2 (Getting out of a car)."
    ]


def test_a_lefs_sent_with_questions_open_names_them_by_number() -> None:
    program = _program()
    admin = _admin(clinic=program.clinic)
    services.wording_load(admin=admin, instrument="lefs", rows=_rows(LEFS.item_keys))
    _schedule(program, ("lefs",))
    q = _first(program, "lefs")
    answers = {key: 3 for key in LEFS.item_keys if key not in ("item_4", "item_17")}
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_submit(
            patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(), answers=answers
        )
    assert caught.value.message_dict["answers"] == ["Still to answer: question 4, question 17."]


def test_a_hoos12_answer_cleared_is_removed_and_the_scale_scores_without_it() -> None:
    program = _program()
    admin = _admin(clinic=program.clinic)
    services.wording_load(admin=admin, instrument="hoos12", rows=_rows(HOOS12.item_keys))
    _schedule(program, ("hoos12",))
    q = _first(program, "hoos12")
    patient = _owner(program)
    services.questionnaire_answer(
        patient=patient, questionnaire=q, answers={"pain_1": 4, "pain_2": 2}
    )

    services.questionnaire_answer(patient=patient, questionnaire=q, answers={"pain_1": None})

    assert dict(Answer.objects.filter(questionnaire=q).values_list("item_key", "value")) == {
        "pain_2": 2
    }
    two_each = {"pain_3": 2, "function_1": 0, "function_4": 2, "qol_2": 4, "qol_3": 0}
    submitted = services.questionnaire_submit(
        patient=patient, questionnaire=q, submission_id=uuid.uuid4(), answers=two_each
    )
    assert submitted.scores["pain"] == "50.0"  # (2 + 2) / 2 = 2: pain_1's 4 is gone
