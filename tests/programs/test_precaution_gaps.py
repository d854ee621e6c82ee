"""Issue #16's rule beyond Today: an exercise the hip precautions hold back (a conflict and no
override from the therapist) is not prescribed anywhere. The patient cannot log it, adherence
does not expect it, the handout leaves it out, and a template or a level change cannot bring
one in without the therapist's reason."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.patients.precautions import precaution_set
from apps.programs.daily_totals import daily_totals_rebuild
from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))


@pytest.fixture
def inward(therapist_a):
    return ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])


@pytest.fixture
def posterior(patient_a, therapist_a):
    return precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip


@pytest.fixture
def hidden(program, inward, posterior):
    return ExerciseItemFactory(program=program, exercise=inward, per_side=False)


@pytest.fixture
def safe(program):
    return ExerciseItemFactory(
        program=program, exercise=ExerciseFactory(name="Safe squeeze"), per_side=False
    )


def _body(item, **changes):
    return {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "side": "both",
            "reps": 10, "pain": 1} | changes  # fmt: skip


# --- 1. Not loggable -------------------------------------------------------------------------


def test_a_held_back_exercise_cannot_be_logged_one_set_at_a_time(patient_a, hidden):
    response = signed_in(patient_a.user).post("/api/v1/me/logs/", _body(hidden), **JSON)
    assert response.status_code == 400
    assert "Inward turn is on hold" in str(response.json())
    assert not SetLog.objects.exists()


def test_a_batch_with_a_held_back_set_saves_nothing_and_names_it(patient_a, hidden, safe):
    logs = [_body(safe), _body(hidden)]
    response = signed_in(patient_a.user).post("/api/v1/me/logs/batch/", {"logs": logs}, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert "Inward turn is on hold" in str(errors)
    assert "logs.1.item" in str(errors), errors
    assert not SetLog.objects.exists()


def test_with_the_therapists_override_it_is_logged(
    patient_a, therapist_a, program, inward, posterior
):
    item = ExerciseItemFactory(program=program, exercise=inward, per_side=False)
    item = overridden(item, actor=therapist_a)
    client = signed_in(patient_a.user)
    assert client.post("/api/v1/me/logs/", _body(item), **JSON).status_code == 201
    batch = client.post("/api/v1/me/logs/batch/", {"logs": [_body(item)]}, **JSON)
    assert batch.status_code == 200
    assert SetLog.objects.count() == 2


def test_a_day_before_the_precautions_can_still_be_logged(patient_a, therapist_a, program, inward):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=TODAY, ends_on=date(2026, 4, 12),
    )  # fmt: skip
    item = ExerciseItemFactory(program=program, exercise=inward, per_side=False)
    client = signed_in(patient_a.user)
    yesterday = _body(item, performed_on="2026-03-09")
    assert client.post("/api/v1/me/logs/batch/", {"logs": [yesterday]}, **JSON).status_code == 200
    assert client.post("/api/v1/me/logs/", _body(item), **JSON).status_code == 400
    assert SetLog.objects.count() == 1


def test_after_the_precautions_end_it_is_logged_again(patient_a, therapist_a, program, inward):
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 2, 1), ends_on=TODAY,
    )  # fmt: skip
    item = ExerciseItemFactory(program=program, exercise=inward, per_side=False)
    client = signed_in(patient_a.user)

    assert client.post("/api/v1/me/logs/", _body(item), **JSON).status_code == 201
    on_hold = _body(item, performed_on="2026-03-09")  # the last day under the precautions
    assert client.post("/api/v1/me/logs/", on_hold, **JSON).status_code == 400


def test_only_a_patient_with_precautions_pays_a_query_for_them(
    patient_a, therapist_a, program, inward
):
    # The item's read says whether the patient has any precautions at all; only then are
    # those in force on the set's day read.
    item = ExerciseItemFactory(program=program, exercise=inward, per_side=False)
    client = signed_in(patient_a.user)
    client.post("/api/v1/me/logs/", _body(item), **JSON)  # sign-in's first-request work
    with CaptureQueriesContext(connection) as without:
        assert client.post("/api/v1/me/logs/", _body(item), **JSON).status_code == 201
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 2, 1), ends_on=date(2026, 3, 2),
    )  # fmt: skip
    with CaptureQueriesContext(connection) as ended:
        assert client.post("/api/v1/me/logs/", _body(item), **JSON).status_code == 201

    assert len(ended) == len(without) + 1


# --- 3. Not on the handout -------------------------------------------------------------------


def _handout(client, patient):
    import io

    from pypdf import PdfReader

    response = client.get(f"/patients/{patient.public_id}/handout.pdf")
    assert response.status_code == 200
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_handout_leaves_out_what_today_leaves_out(therapist_a, patient_a, hidden, safe):
    text = _handout(signed_in(therapist_a), patient_a)
    assert "Safe squeeze" in text
    assert "Inward turn" not in text


def test_the_handout_lists_it_with_the_therapists_override(
    therapist_a, patient_a, program, inward, posterior
):
    overridden(ExerciseItemFactory(program=program, exercise=inward), actor=therapist_a)
    assert "Inward turn" in _handout(signed_in(therapist_a), patient_a)


# --- 5. No level change into a conflict without a reason ------------------------------------


def _ladder_item(program, *, auto_advance=False):
    from tests.factories import LadderFactory, LadderItemFactory

    ladder = LadderFactory(levels=2)
    level_two = ladder.levels.get(level=2).exercise
    level_two.name, level_two.hip_movements = "Inward clam", ["internal_rotation"]
    level_two.save(update_fields=["name", "hip_movements"])
    return LadderItemFactory(
        program=program, ladder=ladder, per_side=False, auto_advance=auto_advance
    )


def _prompt(item):
    from apps.programs.progression import prompt_for_log
    from tests.notifications.factories import SetLogFactory

    prompt, _ = prompt_for_log(log=SetLogFactory(item=item, reps=20, performed_on=TODAY))
    return prompt


def test_today_does_not_announce_a_new_level_it_leaves_out(therapist_a, program):
    """Precautions set after a level change was approved: the new level's exercise is held
    back, so Today does not tell the patient to move up to it either."""
    from datetime import timedelta

    from apps.programs.prompt_decisions import item_level_set
    from apps.programs.selectors import today_plan

    item = _ladder_item(program)
    item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more")
    patient = program.patient
    precaution_set(
        actor=therapist_a, patient=patient, kind="posterior",
        starts_on=TODAY, ends_on=date(2026, 4, 21),
    )  # fmt: skip

    plan = today_plan(patient=patient, on=TODAY + timedelta(days=1))

    assert [p.item.track for p in plan.items] == []
    assert plan.level_changes == []


def test_the_builder_warns_of_a_level_to_come_that_the_precautions_will_hold_back(
    therapist_a, program
):
    """Approved first, precautions set after: the builder says the next day's level will be
    left out of Today, before the exercise simply vanishes for the patient."""
    from apps.programs.prompt_decisions import item_level_set

    item = _ladder_item(program)
    item_level_set(item=item, user=therapist_a, level=2, reason="Ready for more")
    client = signed_in(therapist_a)
    before = client.get(f"/programs/{program.public_id}/").text
    precaution_set(
        actor=therapist_a, patient=program.patient, kind="posterior",
        starts_on=TODAY, ends_on=date(2026, 4, 21),
    )  # fmt: skip

    page = client.get(f"/programs/{program.public_id}/").text

    warning = "From Wednesday 11 March, level 2 (Inward clam) takes the hip into internal rotation"
    assert warning in page
    assert "Today will leave it out from then" in page
    assert "Today will leave it out" not in before  # no precautions, nothing to warn of


def test_approving_a_prompt_into_a_conflicting_level_needs_a_reason(
    therapist_a, program, posterior
):
    from apps.audit.models import AuditEntry

    item = _ladder_item(program)
    prompt = _prompt(item)
    assert prompt.status == "pending"
    client = signed_in(therapist_a)
    url = f"/api/v1/prompts/{prompt.public_id}/approve/"
    refused = client.post(url, {}, **JSON)
    assert refused.status_code == 400
    assert "Inward clam takes the hip into internal rotation" in str(refused.json())
    item.refresh_from_db()
    prompt.refresh_from_db()
    assert (item.current_level, prompt.status) == (1, "pending")
    taken = client.post(url, {"precaution_override": "Surgeon cleared level 2"}, **JSON)
    assert taken.status_code == 200, taken.json()
    item.refresh_from_db()
    assert (item.current_level, item.precaution_override) == (2, "Surgeon cleared level 2")
    assert AuditEntry.objects.filter(detail__contains="overridden for Inward clam").exists()
    assert not AuditEntry.objects.filter(detail__contains="Surgeon").exists()


def test_the_inbox_page_asks_for_the_reason_and_takes_it(therapist_a, program, posterior):
    item = _ladder_item(program)
    prompt = _prompt(item)
    client = signed_in(therapist_a)
    from django.urls import reverse

    url = reverse("notifications:approve", args=[prompt.public_id])
    refused = client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")
    assert "internal rotation" in refused.text
    assert 'name="precaution_override"' in refused.text
    client.post(url, {"note": "", "precaution_override": "Cleared"})
    item.refresh_from_db()
    assert (item.current_level, item.precaution_override) == (2, "Cleared")


def test_the_refused_card_keeps_what_the_therapist_typed(therapist_a, program, posterior):
    """The reason field appears only once the approval is refused: the note for the patient
    typed before it is still there to send, not to be typed again."""
    from django.urls import reverse

    prompt = _prompt(_ladder_item(program))
    url = reverse("notifications:approve", args=[prompt.public_id])

    refused = signed_in(therapist_a).post(
        url, {"note": "Great work & keep going"}, HTTP_HX_REQUEST="true"
    )

    assert refused.status_code == 400
    assert 'value="Great work &amp; keep going"' in refused.text


def test_a_conflicting_next_level_is_never_approved_automatically(program, posterior):
    item = _ladder_item(program, auto_advance=True)
    prompt = _prompt(item)
    item.refresh_from_db()
    assert prompt.status == "pending"
    assert item.current_level == 1


def test_without_precautions_auto_advance_still_advances(program):
    item = _ladder_item(program, auto_advance=True)
    assert _prompt(item).status == "auto_approved"


def test_a_level_change_by_hand_into_a_conflict_needs_a_reason(therapist_a, program, posterior):
    from apps.audit.models import AuditEntry

    item = _ladder_item(program)
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/items/{item.public_id}/level/"
    refused = client.post(url, {"level": 2, "reason": "Ready"}, **JSON)
    assert refused.status_code == 400
    assert "internal rotation" in str(refused.json())
    item.refresh_from_db()
    assert item.current_level == 1
    page = f"/programs/{program.public_id}/items/{item.public_id}/level/"
    form = client.post(page, {"level": 2, "reason": "Ready"})
    assert form.status_code == 400
    assert "Inward clam takes the hip into internal rotation" in form.text
    override = "Surgeon OK'd rotation"
    taken = client.post(
        url, {"level": 2, "reason": "Ready", "precaution_override": override}, **JSON
    )
    assert taken.status_code == 200, taken.json()
    item.refresh_from_db()
    assert (item.current_level, item.precaution_override) == (2, override)
    assert AuditEntry.objects.filter(detail__contains="overridden for Inward clam").exists()
    # The typed words stay on the item (erased with the patient), never in the append-only log.
    assert not AuditEntry.objects.filter(detail__contains="Surgeon").exists()


# --- 4. Assigning a template ----------------------------------------------------------------


@pytest.fixture
def template(therapist_a, inward):
    from tests.factories import TemplateProgramFactory

    template = TemplateProgramFactory(clinic=therapist_a.clinic, created_by=therapist_a)
    ExerciseItemFactory(program=template, exercise=inward)
    ExerciseItemFactory(program=template, exercise=ExerciseFactory(name="Safe squeeze"))
    return template


def test_assigning_a_template_with_a_conflict_is_refused_naming_the_item(
    therapist_a, patient_a, template, posterior
):
    patient_a.programs.all().delete()
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{template.public_id}/assign/"
    refused = client.post(url, {"patient": str(patient_a.public_id)}, **JSON)
    assert refused.status_code == 400
    assert "Inward turn takes the hip into internal rotation" in str(refused.json())
    assert not patient_a.programs.exists()
    page = client.post(
        f"/programs/{template.public_id}/", {"save": "assign", "patient": str(patient_a.public_id)}
    )
    assert page.status_code == 400
    assert "Inward turn takes the hip into internal rotation" in page.text
    assert not patient_a.programs.exists()


def test_with_a_reason_it_is_assigned_and_the_reason_kept_on_the_item(
    therapist_a, patient_a, template, posterior
):
    from apps.audit.models import AuditEntry

    patient_a.programs.all().delete()
    url = f"/api/v1/programs/{template.public_id}/assign/"
    body = {"patient": str(patient_a.public_id), "precaution_override": "Surgeon allows it"}
    assert signed_in(therapist_a).post(url, body, **JSON).status_code == 201
    items = {i.exercise.name: i.precaution_override for i in patient_a.programs.get().items.all()}
    assert items == {"Inward turn": "Surgeon allows it", "Safe squeeze": ""}
    override = "precaution override for Inward turn (reason kept on the item)"
    assert AuditEntry.objects.filter(detail=override).count() == 1
    assert not AuditEntry.objects.filter(detail__contains="Surgeon").exists()


def test_precautions_starting_during_the_program_count_too(therapist_a, patient_a, template):
    from django.core.exceptions import ValidationError

    from apps.programs.assign_services import program_assign

    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 20), ends_on=date(2026, 5, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Inward turn"):
        program_assign(actor=therapist_a, program=template, patient=patient_a)


def test_a_starter_for_a_patient_with_precautions_asks_for_the_reason(therapist_a, patient_a):
    from apps.exercises.loading import library_load
    from apps.programs.starters import all_starters

    library_load()
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    patient_a.programs.all().delete()
    client = signed_in(therapist_a)
    conflicting = None
    for starter in all_starters():
        body = {"name": "Hip", "template": starter.choice, "patient": str(patient_a.public_id)}
        response = client.post("/programs/new/", body)
        if response.status_code == 400:
            conflicting = (starter, body, response)
            break
        patient_a.programs.all().delete()
    assert conflicting is not None, "a starter with an exercise the posterior approach rules out"
    _, body, response = conflicting
    assert "takes the hip into" in response.text
    assert 'name="precaution_override"' in response.text
    assert not patient_a.programs.exists()
    kept = client.post("/programs/new/", body | {"precaution_override": "Surgeon agreed"})
    assert kept.status_code == 302
    overrides = set(patient_a.programs.get().items.values_list("precaution_override", flat=True))
    assert "Surgeon agreed" in overrides


# --- 2. Not expected in adherence ------------------------------------------------------------


def _both(patient, start, end):
    from apps.programs.adherence import daily_adherence
    from apps.programs.adherence_summaries import adherence_summaries

    days = daily_adherence(patient=patient, start=start, end=end)
    summary = adherence_summaries(patient_ids=[patient.pk], start=start, end=end)[patient.pk]
    reference = (sum(d.prescribed for d in days), sum(d.completed for d in days),
                 sum(d.complete for d in days))  # fmt: skip
    assert (summary.prescribed, summary.completed, summary.complete_days) == reference
    return reference


def _stored_equal_reference(patient, start, end):
    """The stored daily totals (what the dashboard and reports read) equal the reference on
    every logged day."""
    from apps.programs.adherence import daily_adherence
    from apps.programs.models import DailyTotal

    reference = {
        d.date: (d.prescribed, d.completed)
        for d in daily_adherence(patient=patient, start=start, end=end)
        if d.logs
    }
    stored = {
        t.day: (t.prescribed, t.completed) for t in DailyTotal.objects.filter(patient=patient)
    }
    assert reference
    assert stored == reference


def test_adherence_does_not_expect_a_held_back_exercise(patient_a, therapist_a, program, inward):
    from tests.notifications.factories import SetLogFactory

    hidden = ExerciseItemFactory(program=program, exercise=inward, per_side=False, sets=2)
    safe = ExerciseItemFactory(program=program, per_side=False, sets=2)
    for item in (safe, safe):
        SetLogFactory(item=item, ladder_level=None, exercise=item.exercise, reps=10)
    # Factories write rows directly, past the services that keep the daily totals.
    daily_totals_rebuild(patient_ids=[patient_a.pk])
    # Before the precautions: both items, 2 sets each a day, 1 to 10 March.
    assert _both(patient_a, date(2026, 3, 1), TODAY) == (40, 2, 0)
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 6), ends_on=date(2026, 4, 12),
    )  # fmt: skip
    # From 6 March only the safe item is expected: 5 days x 4 + 5 days x 2; today complete.
    assert _both(patient_a, date(2026, 3, 1), TODAY) == (30, 2, 1)
    overridden(hidden, actor=therapist_a, reason="Cleared by the surgeon")
    assert _both(patient_a, date(2026, 3, 1), TODAY) == (40, 2, 0)


def test_the_stored_daily_totals_follow_precautions_set_and_ended(
    patient_a, therapist_a, program, inward
):
    from apps.patients.precautions import precaution_end
    from tests.notifications.factories import SetLogFactory

    hidden = ExerciseItemFactory(program=program, exercise=inward, per_side=False, sets=2)
    safe = ExerciseItemFactory(program=program, per_side=False, sets=2)
    days = (date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 8))
    for day in days:
        for item in (hidden, safe):
            SetLogFactory(item=item, ladder_level=None, exercise=item.exercise, reps=10,
                          performed_on=day)  # fmt: skip
    daily_totals_rebuild(patient_ids=[patient_a.pk])
    before = {t.day: t.prescribed for t in patient_a.daily_totals.all()}

    precaution = precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 6), ends_on=date(2026, 4, 12),
    )  # fmt: skip

    _stored_equal_reference(patient_a, date(2026, 3, 1), TODAY)
    after = {t.day: t.prescribed for t in patient_a.daily_totals.all()}
    assert after[date(2026, 3, 4)] == before[date(2026, 3, 4)]  # before the precautions
    assert after[date(2026, 3, 6)] < before[date(2026, 3, 6)]  # the held-back item is gone
    assert after[date(2026, 3, 8)] < before[date(2026, 3, 8)]

    # Lifted by the surgeon on 7 March: the 8th prescribes the item again, the 6th (done
    # under the precautions) keeps what it prescribed then.
    with time_machine.travel(datetime(2026, 3, 7, 9, 0, tzinfo=UTC), tick=False):
        precaution_end(actor=therapist_a, precaution=precaution)

    _stored_equal_reference(patient_a, date(2026, 3, 1), TODAY)
    ended = {t.day: t.prescribed for t in patient_a.daily_totals.all()}
    assert ended == before | {date(2026, 3, 6): after[date(2026, 3, 6)]}


@pytest.mark.parametrize("batch", [False, True])
def test_sets_logged_around_precautions_keep_the_stored_totals_right(
    patient_a, therapist_a, program, inward, batch
):
    # The log services hand the precautions read for the hold-back check on to the daily
    # totals: none in force on the day spares the totals' own lookup, and some in force
    # must still leave the held-back item out of what the day prescribes.
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=TODAY, ends_on=date(2026, 4, 12),
    )  # fmt: skip
    ExerciseItemFactory(program=program, exercise=inward, per_side=False, sets=2)
    safe = ExerciseItemFactory(program=program, per_side=False, sets=2)
    client = signed_in(patient_a.user)
    sets = [_body(safe, performed_on="2026-03-09"), _body(safe)]

    if batch:
        assert client.post("/api/v1/me/logs/batch/", {"logs": sets}, **JSON).status_code == 200
    for body in [] if batch else sets:
        assert client.post("/api/v1/me/logs/", body, **JSON).status_code == 201

    _stored_equal_reference(patient_a, date(2026, 3, 1), TODAY)
    stored = {t.day: t.prescribed for t in patient_a.daily_totals.all()}
    assert stored == {date(2026, 3, 9): 4, TODAY: 2}  # the inward turn held back today


def test_a_ladder_is_expected_only_on_the_days_its_level_is_allowed(
    patient_a, therapist_a, program, posterior
):
    item = _ladder_item(program)  # level 2 turns the hip inward
    item.sets, item.previous_level, item.current_level = 1, 1, 2
    item.level_since = date(2026, 3, 8)
    item.save()
    # 1 to 7 March at level 1 (allowed), 8 to 10 March at level 2 (held back).
    assert _both(patient_a, date(2026, 3, 1), TODAY)[0] == 7


def test_creating_a_patients_program_from_a_template_through_the_api_checks_its_items(
    therapist_a, patient_a, template, posterior
):
    patient_a.programs.all().delete()
    client = signed_in(therapist_a)
    body = {"name": "Hip", "patient": str(patient_a.public_id), "template": str(template.public_id)}
    refused = client.post("/api/v1/programs/create/", body, **JSON)
    assert refused.status_code == 400
    assert "Inward turn takes the hip into internal rotation" in str(refused.json())
    assert not patient_a.programs.exists()
    body["precaution_override"] = "Surgeon agreed"
    assert client.post("/api/v1/programs/create/", body, **JSON).status_code == 201
    item = patient_a.programs.get().items.get(exercise__name="Inward turn")
    assert item.precaution_override == "Surgeon agreed"
