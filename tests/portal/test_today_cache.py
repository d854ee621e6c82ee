"""The cached Today page (apps/portal/today_cache.py): served from the cache until a write
changes what it shows, then fresh. One test per family of writers: each opens Today, writes
through the service, opens Today again and finds the change. The fresh-rendering check of
the test settings is off here, so a missing bump fails on the stale page itself.

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_settings_update
from apps.exercises import services as library
from apps.exercises.loading import library_load
from apps.exercises.models import Exercise
from apps.media import services as media
from apps.outcomes import services as outcomes
from apps.outcomes.models import Questionnaire
from apps.patients.precautions import precaution_set
from apps.patients.services import patient_update
from apps.portal.today_cache import StaleTodayError, today_key
from apps.programs import edit_services as programs
from apps.programs import item_order
from apps.programs import item_services as program_items
from apps.programs.logs import set_log_correct, set_log_delete, set_log_record
from apps.programs.logs_batch import LogEntry, set_logs_record_many
from apps.programs.morning import morning_check_record
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory
from tests.media import samples
from tests.media.conftest import upload

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 3)
PAGE = "/today/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_fresh_check(settings):
    settings.TODAY_CACHE_VERIFY = False


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))


@pytest.fixture
def item(program):
    return ExerciseItemFactory(program=program, sets=2, reps=12, per_side=False)


def page(patient) -> str:
    response = signed_in(patient.user).get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def cached(patient) -> bool:
    patient.refresh_from_db()
    return cache.get(today_key(patient=patient, today=patient.local_today())) is not None


def log(item, **extra):
    values = {"reps": 10, "pain": 2, "side": "both", **extra}
    return set_log_record(
        patient=item.program.patient, item=item, client_id=uuid.uuid4(), performed_on=TODAY,
        **values,
    )[0]  # fmt: skip


# --- The cache itself ----------------------------------------------------------------------


def test_a_second_load_is_served_from_the_cache_in_three_queries(
    patient_a, item, django_assert_max_num_queries
):
    client = signed_in(patient_a.user)
    first = client.get(PAGE).content.decode()
    assert cached(patient_a)
    with django_assert_max_num_queries(3):  # session, user, patient with clinic
        second = client.get(PAGE).content.decode()
    assert second.count(item.exercise.name) == first.count(item.exercise.name) > 0


PLAN = "/api/v1/me/today/"


def test_the_phones_plan_refresh_is_cached_too_and_fresh_after_a_set(
    patient_a, item, django_assert_max_num_queries
):
    client = signed_in(patient_a.user)
    first = client.get(PLAN).json()
    patient_a.refresh_from_db()
    key = today_key(patient=patient_a, today=TODAY, kind="plan")
    assert cache.get(key) == first
    with django_assert_max_num_queries(3):  # session, user, patient with clinic
        assert client.get(PLAN).json() == first
    assert first["completed"] == 0

    log(item)

    after = client.get(PLAN).json()
    assert after["completed"] == 1
    assert after["items"][0]["public_id"] == first["items"][0]["public_id"]


def test_the_plan_and_the_page_are_cached_apart(patient_a, item):
    page(patient_a)
    patient_a.refresh_from_db()
    assert cache.get(today_key(patient=patient_a, today=TODAY, kind="plan")) is None
    assert signed_in(patient_a.user).get(PLAN).status_code == 200
    assert cache.get(today_key(patient=patient_a, today=TODAY, kind="plan")) is not None


def test_the_fresh_check_fails_a_plan_a_writer_forgot(settings, patient_a, item):
    settings.TODAY_CACHE_VERIFY = True
    client = signed_in(patient_a.user)
    client.get(PLAN)
    type(item).objects.filter(pk=item.pk).update(reps=15)  # no service: no bump
    with pytest.raises(StaleTodayError):
        client.get(PLAN)


def test_each_load_has_its_own_set_ids_and_a_working_csrf_token(patient_a, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient_a.user)
    ids = []
    for _ in range(2):
        html = client.get(PAGE).content.decode()
        assert "<cs:" not in html
        ids += re.findall(r'name="client_id" value="([0-9a-f-]{36})"', html)
    assert len(set(ids)) == len(ids) == 2  # one form a load, never the same id
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    form = {
        "csrfmiddlewaretoken": token.group(1), "client_id": ids[-1],
        "item": str(item.public_id), "performed_on": TODAY.isoformat(), "side": "both",
        "reps": "10", "pain": "2",
    }  # fmt: skip
    assert client.post(reverse("patients:log-set"), form).status_code == 302
    assert "Set 1: 10 reps, pain 2" in client.get(PAGE).content.decode()


def test_a_cached_page_shows_this_requests_messages(patient_a, item):
    client = signed_in(patient_a.user)
    client.get(PAGE)
    assert cached(patient_a)
    response = client.post(reverse("patients:morning-check"), {"hip": "same"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<div class="messages" role="status">' in html
    assert "There is no morning question today" in html or "Choose how" in html
    assert "<cs:" not in html
    assert '<div class="messages"' not in client.get(PAGE).content.decode()  # shown once


def test_the_fresh_check_fails_a_page_a_writer_forgot(settings, patient_a, item):
    settings.TODAY_CACHE_VERIFY = True
    page(patient_a)
    type(item).objects.filter(pk=item.pk).update(reps=15)  # no service: no bump
    with pytest.raises(StaleTodayError):
        page(patient_a)


def test_the_cache_can_be_turned_off(settings, patient_a, item):
    settings.TODAY_CACHE_SECONDS = 0
    page(patient_a)
    assert not cached(patient_a)


# --- The day, and the patient's and clinic's own rows --------------------------------------


def test_the_next_day_is_rendered_anew(patient_a, item):
    assert "Tuesday 3 March" in page(patient_a)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert "Wednesday 4 March" in page(patient_a)


def test_a_new_time_zone_shows_the_patients_new_day(patient_a, therapist_a, item):
    assert "Tuesday 3 March" in page(patient_a)
    patient_update(
        patient=patient_a, therapist=therapist_a, full_name=patient_a.full_name,
        year_of_birth=patient_a.year_of_birth, email=patient_a.email,
        time_zone="Pacific/Kiritimati",  # UTC+14: already Wednesday
    )  # fmt: skip
    assert "Wednesday 4 March" in page(patient_a)


def test_the_patients_own_new_time_zone_shows_their_new_day_on_the_page_and_the_plan(
    patient_a, item
):
    """The patient taps "use my phone's zone" on the Reminders page: Today and the phone's
    plan refresh follow the new local day at once (the cache key holds the patient's row and
    local day, so no version bump is needed)."""
    client = signed_in(patient_a.user)
    assert "Tuesday 3 March" in page(patient_a)
    assert client.get(PLAN).json()["day"] == "2026-03-03"

    moved = client.post(
        "/reminders/", {"reminders_enabled": "on", "time_zone": "Pacific/Kiritimati"}
    )

    assert moved.status_code == 302
    assert "Wednesday 4 March" in page(patient_a)
    assert client.get(PLAN).json()["day"] == "2026-03-04"


def test_clinic_settings_show_at_once(patient_a, admin_a, item):
    assert 'data-too-much-above="5"' in page(patient_a)
    clinic_settings_update(clinic=admin_a.clinic, actor=admin_a, pain_progression_limit=4)
    assert 'data-too-much-above="4"' in page(patient_a)


# --- Set logs ------------------------------------------------------------------------------


def test_a_logged_set_shows_at_once(patient_a, item):
    assert "Set 1:" not in page(patient_a)
    log(item)
    assert "Set 1: 10 reps, pain 2" in page(patient_a)


def test_a_corrected_and_a_deleted_set_show_at_once(patient_a, item):
    logged = log(item)
    assert "Set 1: 10 reps, pain 2" in page(patient_a)
    set_log_correct(log=logged, pain=4, reps=8, hold_seconds=None, difficulty=None, note="")
    assert "Set 1: 8 reps, pain 4" in page(patient_a)
    set_log_delete(log=logged)
    assert "Set 1:" not in page(patient_a)


def test_a_batch_of_sets_shows_at_once(patient_a, item):
    assert "Set 1:" not in page(patient_a)
    entries = [
        LogEntry(client_id=uuid.uuid4(), item=item.public_id, pain=1, reps=9, side="both")
        for _ in range(2)
    ]
    set_logs_record_many(patient=patient_a, entries=entries)
    html = page(patient_a)
    assert "Set 1: 9 reps, pain 1" in html
    assert "Set 2: 9 reps, pain 1" in html


# --- The prescription ----------------------------------------------------------------------


def test_a_dose_change_shows_at_once(patient_a, therapist_a, item):
    assert "12 reps" in page(patient_a)
    program_items.program_item_update(
        actor=therapist_a, item=item, sets=2, reps=15, hold_seconds=None, per_side=False,
        rest_seconds=item.rest_seconds,
    )  # fmt: skip
    assert "15 reps" in page(patient_a)


def test_a_new_order_shows_at_once(patient_a, therapist_a, program, item):
    other = ExerciseItemFactory(program=program, position=1)
    html = page(patient_a)
    assert html.index(item.exercise.name) < html.index(other.exercise.name)
    item_order.program_items_reorder(
        actor=therapist_a, program=program, item_ids=[other.pk, item.pk]
    )
    html = page(patient_a)
    assert html.index(other.exercise.name) < html.index(item.exercise.name)


def test_a_weekday_change_shows_at_once(patient_a, therapist_a, program, item):
    assert "A rest day" not in page(patient_a)
    programs.program_schedule_update(
        actor=therapist_a, program=program, weekdays=[0, 2, 4], start_date=program.start_date
    )
    assert "A rest day" in page(patient_a)  # Tuesday is no longer an exercise day


def test_hip_precautions_show_at_once(patient_a, therapist_a, program):
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    ExerciseItemFactory(program=program, exercise=inward)
    assert "Inward turn" in page(patient_a)
    precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior", starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 12),
    )  # fmt: skip
    assert "Inward turn" not in page(patient_a)


# --- The morning check and questionnaires ---------------------------------------------------


def test_the_morning_answer_shows_its_advice_at_once(patient_a, item):
    set_log_record(
        patient=patient_a, item=item, client_id=uuid.uuid4(), performed_on=TODAY - timedelta(1),
        side="both", reps=10, pain=2,
    )  # fmt: skip
    assert "How is your hip today?" in page(patient_a)
    morning_check_record(patient=patient_a, hip="same", stiffness="same")
    html = page(patient_a)
    assert "How is your hip today?" not in html
    assert "Your hip is no worse" in html


def test_questionnaires_due_and_submitted_show_at_once(patient_a, program, item):
    assert "A few questions for your therapist" not in page(patient_a)
    outcomes.measures_set(user=program.created_by, program=program, instruments=["nprs"])
    html = page(patient_a)
    assert "A few questions for your therapist" in html
    # The button says what it is in plain words and how long, not the instrument's initials.
    # (Followed by the empty slot where the page says it waits on the phone, when it does.)
    assert "<span>Your hip pain this week (1 question)<span data-waiting></span></span>" in html
    assert ">NPRS" not in html
    due = Questionnaire.objects.filter(program=program, due_on__lte=TODAY).latest("due_on")
    outcomes.questionnaire_submit(
        patient=patient_a, questionnaire=due, submission_id=uuid.uuid4(), answers={"pain": 3}
    )
    assert "A few questions for your therapist" not in page(patient_a)


# --- What the clinic shows every patient ----------------------------------------------------


@pytest.mark.usefixtures("media_storage")
def test_the_clinics_new_photo_shows_at_once(patient_a, therapist_a, item):
    assert "clinic-photo" not in page(patient_a)
    media.media_upload(actor=therapist_a, exercise=item.exercise, upload=upload(samples.png()))
    assert "clinic-photo" in page(patient_a)


def test_a_change_to_the_clinics_exercise_shows_at_once(patient_a, therapist_a, program):
    own = library.exercise_create(
        user=therapist_a, content=library.ExerciseContent(
            name="Wall sit", position="standing", movement="Hold a squat", steps=["Lean back"],
        ),
    )  # fmt: skip
    ExerciseItemFactory(program=program, exercise=own)
    assert "Lean back" in page(patient_a)
    library.exercise_update(
        user=therapist_a, exercise=own, content=library.ExerciseContent(
            name="Wall sit", position="standing", movement="Hold a squat", steps=["Slide down"],
        ),
    )  # fmt: skip
    html = page(patient_a)
    assert "Slide down" in html
    assert "Lean back" not in html


def test_a_library_reload_reaches_every_clinic(patient_a, program):
    library_load()
    shared = Exercise.objects.filter(clinic=None).order_by("key").first()
    ExerciseItemFactory(program=program, exercise=shared)
    Exercise.objects.filter(pk=shared.pk).update(name="Mistyped name")  # an operator's slip
    assert "Mistyped name" in page(patient_a)
    library_load()  # puts the shared library back as its data files say
    html = page(patient_a)
    assert "Mistyped name" not in html
    assert shared.name in html


def test_an_operators_edit_in_the_admin_reaches_every_clinic(patient_a, patient_b, program):
    """Exercises and ladders changed in Django admin bump every clinic (deleting one here)."""
    unused = ExerciseFactory(clinic=None, name="Never prescribed")
    page(patient_a)
    before = {c.pk: c.today_version for c in Clinic.objects.all()}
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    client = signed_in(operator)
    response = client.post(f"/ops/admin/exercises/exercise/{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    after = {c.pk: c.today_version for c in Clinic.objects.all()}
    assert {patient_a.clinic_id, patient_b.clinic_id} <= set(after)
    assert all(after[pk] == before[pk] + 1 for pk in after)
    assert not cached(patient_a)


# --- The process's own copies, in front of Redis ----------------------------------------------


def test_a_repeat_load_is_served_from_memory_without_asking_the_cache(patient_a, item, monkeypatch):
    client = signed_in(patient_a.user)
    first = client.get(PAGE).content.decode()
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **k: asked.append(a) or real_get(*a, **k))

    second = client.get(PAGE).content.decode()

    assert asked == []
    assert second.count(item.exercise.name) == first.count(item.exercise.name) > 0


def test_a_write_still_shows_at_once_with_copies_in_memory(patient_a, item):
    def done() -> str:
        return re.findall(r"<strong data-day-done>(\d+)</strong>", page(patient_a))[0]

    assert done() == done() == "0"  # the second from memory

    log(item)

    assert done() == "1"


def test_copies_in_memory_expire_and_the_oldest_go_first(monkeypatch):
    from apps.portal import today_cache

    clock = [1000.0]
    monkeypatch.setattr(today_cache.time, "monotonic", lambda: clock[0])
    recent = today_cache._Recent(size=2)
    recent.put("a", "page a", 60)
    recent.put("b", "page b", 60)
    assert recent.get("a") == "page a"  # now the most recently used
    recent.put("c", "page c", 60)

    assert (recent.get("a"), recent.get("b"), recent.get("c")) == ("page a", None, "page c")
    clock[0] += 61
    assert recent.get("a") is None
