"""The staff menu's Inbox says how many items wait for the signed-in member of staff: the
prompts ready to progress and the pain alerts not yet seen, as the inbox lists them, in one
count query per page."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db.models.sql import Query
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.notifications import selectors
from apps.notifications.context_processors import inbox_waiting
from apps.notifications.models import PainAlert
from apps.programs.models import PromptStatus
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


INBOX_LINK = '<a href="/inbox/">Inbox'


def inbox_link(html: str) -> str:
    start = html.index(INBOX_LINK)
    return html[start : html.index("</a>", start) + 4]


def alert(patient, *, seen=False, local_date="2025-01-01"):
    return PainAlert.objects.create(
        patient=patient,
        local_date=local_date,
        pain=8,
        acknowledged_at=timezone.now() if seen else None,
    )


@pytest.fixture
def waiting(therapist_a, patient_a, prompt_b):
    """Three items waiting for therapist A (two prompts, one alert), and what does not wait:
    a decided prompt, a prompt snoozed until next week, a seen alert, a colleague's
    patient's prompt, another clinic's prompt (prompt_b)."""
    make_prompt(patient_a)
    make_prompt(PatientFactory(therapist=therapist_a))
    alert(patient_a)
    decided = make_prompt(PatientFactory(therapist=therapist_a))
    decided.status = PromptStatus.DECLINED
    decided.save(update_fields=["status"])
    snoozed = make_prompt(PatientFactory(therapist=therapist_a))
    snoozed.status = PromptStatus.SNOOZED
    snoozed.snoozed_until = patient_a.local_today() + timedelta(days=7)
    snoozed.save(update_fields=["status", "snoozed_until"])
    alert(patient_a, seen=True, local_date="2024-12-31")
    colleague = StaffFactory(clinic=therapist_a.clinic)
    make_prompt(PatientFactory(therapist=colleague))


def test_the_inbox_item_says_how_many_wait_in_words_a_screen_reader_reads(therapist_a, waiting):
    html = signed_in(therapist_a).get(reverse("patients:list")).content.decode()

    link = inbox_link(html)
    assert '<span class="visually-hidden"> waiting</span>' in link
    assert ">3<" in link


def test_the_count_is_what_the_inbox_lists(therapist_a, waiting):
    inbox = selectors.inbox_for(user=therapist_a, today=selectors.clinic_today(therapist_a))

    assert selectors.inbox_waiting_count(user=therapist_a) == 3
    assert len(inbox.open_prompts) + len(inbox.alerts) == 3


def test_an_admin_counts_the_whole_clinics(admin_a, waiting):
    assert selectors.inbox_waiting_count(user=admin_a) == 4


def test_nothing_waiting_shows_no_count(therapist_a):
    html = signed_in(therapist_a).get(reverse("patients:list")).content.decode()

    assert inbox_link(html) == '<a href="/inbox/">Inbox</a>'


def test_the_count_is_one_query_and_only_on_pages_with_the_menu(
    therapist_a, admin_a, patient_a, waiting, django_assert_num_queries
):
    therapist_a.refresh_from_db()  # its clinic not loaded, as on a page
    admin_a.refresh_from_db()

    with django_assert_num_queries(1):
        assert selectors.inbox_waiting_count(user=therapist_a) == 3
    with django_assert_num_queries(1):
        assert selectors.inbox_waiting_count(user=admin_a) == 4
    with django_assert_num_queries(0):
        assert inbox_waiting(request_of(therapist_a)) != {}


def test_the_count_compiles_no_orm_query(therapist_a, admin_a, waiting, monkeypatch):
    """Compiling its ORM statement (five counting subqueries) cost more than running it, on
    every staff page: the count runs a statement built once per role instead."""
    therapist_a.refresh_from_db()
    admin_a.refresh_from_db()
    compiled = []
    get_compiler = Query.get_compiler

    def counted(query, *args, **kwargs):
        compiled.append(query.model)
        return get_compiler(query, *args, **kwargs)

    monkeypatch.setattr(Query, "get_compiler", counted)

    assert selectors.inbox_waiting_count(user=therapist_a) == 3
    assert selectors.inbox_waiting_count(user=admin_a) == 4
    assert compiled == []


@pytest.mark.parametrize(
    ("zone", "utc_now", "back", "not_yet"),
    [
        # 10:00 on 11 March in Kiritimati (UTC+14) while it is still 10 March in UTC.
        ("Pacific/Kiritimati", "2026-03-10T20:00:00Z", "2026-03-11", "2026-03-12"),
        # 22:00 on 9 March in Los Angeles while it is already 10 March in UTC.
        ("America/Los_Angeles", "2026-03-10T05:00:00Z", "2026-03-09", "2026-03-10"),
        ("Europe/London", "2026-03-10T12:00:00Z", "2026-03-10", "2026-03-11"),
    ],
)
def test_a_snoozed_prompt_counts_from_the_day_it_comes_back_in_the_clinics_zone(
    therapist_a, patient_a, zone, utc_now, back, not_yet
):
    therapist_a.clinic.time_zone = zone
    therapist_a.clinic.save(update_fields=["time_zone"])
    for until in (back, not_yet, "2020-01-01"):
        prompt = make_prompt(PatientFactory(therapist=therapist_a))
        prompt.status = PromptStatus.SNOOZED
        prompt.snoozed_until = until
        prompt.save(update_fields=["status", "snoozed_until"])
    now = datetime.fromisoformat(utc_now)

    with time_machine.travel(now, tick=False):
        listed = selectors.inbox_for(user=therapist_a, today=selectors.clinic_today(therapist_a))
        counted = selectors.inbox_waiting_count(user=therapist_a, now=now)

    assert counted == len(listed.open_prompts) == 2
