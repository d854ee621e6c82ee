"""A set of the phone's queue the server refuses (the batch is all or nothing): the other sets
are saved, the refused one is named to the patient (which exercise, which set, which day when
not the page's) with the server's reason and what to do, and it leaves the queue rather than
being sent again and again. A set queued before the patient's time zone moved west is saved
on the day its page was drawn for, not refused as a day to come."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from apps.patients.models import Patient
from apps.patients.reminder_choice import patient_reminders_choose
from apps.programs.logs import set_log_record
from apps.programs.models import SetLog
from tests.browser.conftest import PHONE, browser_page, set_offline, sign_in_patient
from tests.factories import ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "id => JSON.parse(localStorage.getItem('clamshell.queue.' + id) || '[]')"
WHAT_TO_DO = "It is no longer kept on this phone: if you did it, tell your therapist."


def test_a_refused_set_is_named_with_its_reason_and_the_others_are_saved(
    browser, live_server, patient_a
):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE, service_workers="block") as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{item.public_id}")
        set_offline(page, True)
        for side in ("left", "right"):
            card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
            card.get_by_role("button", name=re.compile(rf"Log {side} set")).click()
        status = page.locator("#sync-status")
        status.filter(has_text="2 sets are saved on this phone").wait_for()
        # The right set's pain is out of range by the time it is sent (storage edited).
        patient = str(patient_a.public_id)
        page.evaluate(
            f"""id => {{
                var queue = ({QUEUE})(id);
                queue[1].pain = 12;
                localStorage.setItem('clamshell.queue.' + id, JSON.stringify(queue));
            }}""",
            patient,
        )

        set_offline(page, False)
        expect(status).to_contain_text(
            f"Your right set of {item.exercise.name} (10 reps, pain 12) was not saved: "
            f"Pain must be a whole number from 0 to 10. {WHAT_TO_DO}"
        )
        assert [(log.side, log.pain) for log in SetLog.objects.all()] == [("left", 2)]
        assert page.evaluate(QUEUE, patient) == []  # not sent again and again


def test_a_refused_single_set_is_named_without_the_apis_field_names(
    browser, live_server, patient_a
):
    # One waiting set goes to the single endpoint, whose message starts "pain: ...".
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE, service_workers="block") as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{item.public_id}")
        set_offline(page, True)
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
        card.get_by_role("button", name=re.compile(r"Log left set")).click()
        page.locator("#sync-status").filter(has_text="1 set is saved on this phone").wait_for()
        patient = str(patient_a.public_id)
        page.evaluate(
            f"""id => {{
                var queue = ({QUEUE})(id);
                queue[0].pain = 12;
                localStorage.setItem('clamshell.queue.' + id, JSON.stringify(queue));
            }}""",
            patient,
        )

        set_offline(page, False)
        expect(page.locator("#sync-status")).to_have_text(
            f"Your left set of {item.exercise.name} (10 reps, pain 12) was not saved: "
            f"Pain must be a whole number from 0 to 10. {WHAT_TO_DO}"
        )
        assert not SetLog.objects.exists()
        assert page.evaluate(QUEUE, patient) == []


def test_a_refused_set_of_another_day_names_the_day_in_words(browser, live_server, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE, service_workers="block") as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{item.public_id}")
        set_offline(page, True)
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
        card.get_by_role("button", name=re.compile(r"Log left set")).click()
        page.locator("#sync-status").filter(has_text="1 set is saved on this phone").wait_for()
        patient = str(patient_a.public_id)
        # Queued on a page of a day the program had not started.
        page.evaluate(
            f"""id => {{
                var queue = ({QUEUE})(id);
                queue[0].performed_on = "2026-01-05";
                localStorage.setItem('clamshell.queue.' + id, JSON.stringify(queue));
            }}""",
            patient,
        )
        ProgramFactory._meta.model.objects.filter(pk=item.program_id).update(
            start_date=date(2026, 1, 6)
        )

        set_offline(page, False)
        expect(page.locator("#sync-status")).to_contain_text(
            f"Your left set of {item.exercise.name} on Monday 5 January (10 reps, pain 2) "
            "was not saved: This program starts on"
        )


def test_a_set_queued_before_a_move_west_is_saved_on_its_pages_day(
    browser, live_server, patient_a, server_clock
):
    """At 12:00 UTC on Tuesday 10 March it is 01:00 on Wednesday in Auckland: the page is
    drawn for Wednesday, the set is logged offline, then the patient's zone becomes London
    (still Tuesday there) before it is sent."""
    server_clock.shift(timedelta(hours=2, minutes=30))
    Patient.objects.filter(pk=patient_a.pk).update(time_zone="Pacific/Auckland")
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE, service_workers="block") as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{item.public_id}")
        set_offline(page, True)
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
        card.get_by_role("button", name=re.compile(r"Log left set")).click()
        status = page.locator("#sync-status")
        status.filter(has_text="1 set is saved on this phone").wait_for()
        patient_reminders_choose(
            patient=Patient.objects.get(pk=patient_a.pk), reminders_enabled=True,
            reminder_time=None, time_zone="Europe/London",
        )  # fmt: skip

        set_offline(page, False)
        expect(status).to_have_text("All your sets are saved.")
        # The plan fetched after the send is for Tuesday, so the page reloads for that day;
        # reading the phone's queue while it does failed now and then ("Execution context
        # was destroyed"), so the read waits for the page drawn for Tuesday.
        expect(page.locator("#today")).to_have_attribute("data-day", "2026-03-10")
        assert SetLog.objects.get().performed_on == date(2026, 3, 11)
        assert page.evaluate(QUEUE, str(patient_a.public_id)) == []


REUSED = (
    "was not saved: a set sent earlier from this phone under the same id is saved with other "
    f"values (it may have been corrected since). {WHAT_TO_DO}"
)


def _stored_under_the_id_of(page, patient, item, index: int) -> SetLog:
    """Store a set (8 reps) under the client id of the queue's set ``index``, as if it had been
    sent and then corrected: the queued set is no longer the stored one."""
    queue = page.evaluate(QUEUE, str(patient.public_id))
    log, _ = set_log_record(
        patient=patient, item=item, client_id=queue[index]["client_id"],
        performed_on=patient.local_today(), side="left", pain=2, reps=8,
    )  # fmt: skip
    return log


@pytest.mark.parametrize("sets", [1, 2])
def test_a_set_whose_id_is_stored_with_other_values_is_named_and_not_kept(
    browser, live_server, patient_a, sets
):
    # One waiting set goes to the single endpoint, two in a batch: each answers 409 naming
    # client_id, which is no other patient's session (a sign-in would never help).
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), sets=2, reps=10)
    with browser_page(browser, live_server, **PHONE, service_workers="block") as page:
        sign_in_patient(page, patient_a)
        card = page.locator(f"#item-{item.public_id}")
        set_offline(page, True)
        for side in ("left", "right")[:sets]:
            card.locator(".pain-option span", has_text=re.compile(r"^2$")).click()
            card.get_by_role("button", name=re.compile(rf"Log {side} set")).click()
        status = page.locator("#sync-status")
        status.filter(has_text=f"{sets} set").wait_for()
        stored = _stored_under_the_id_of(page, patient_a, item, 0)

        set_offline(page, False)
        expect(status).to_contain_text(
            f"Your left set of {item.exercise.name} (10 reps, pain 2) {REUSED}"
        )
        assert page.evaluate(QUEUE, str(patient_a.public_id)) == []
        logs = SetLog.objects.order_by("side")
        assert [(log.side, log.reps) for log in logs] == [("left", 8), ("right", 10)][:sets]
        assert logs[0].pk == stored.pk
