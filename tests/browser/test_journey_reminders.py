"""Journey 4, be reminded: at 18:00 on a scheduled day a real Celery worker runs the reminder
dispatcher for that "now"; the patients who have not finished today get one email each, the
others a recorded skip; the therapist reads the records in the app, and a patient turns
reminders off with the one-click link from the email.

The app's clock is moved to 18:00 in this process; the worker gets the same instant as the
dispatcher's explicit ``now``, so both agree on every patient's local day and time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.notifications.models import Reminder
from apps.notifications.tasks import reminders_dispatch
from apps.patients.models import Patient
from tests.browser.conftest import (
    JOURNEY_START,
    check_page,
    sign_in_patient,
    sign_in_staff,
    watch_errors,
)
from tests.browser.world import clinic_week
from tests.integration.harness import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

# 18:00:30 in London on the journey's day (GMT in March, before the clock change).
SIX_PM = datetime(2026, 3, 10, 18, 0, 30, tzinfo=UTC)


def settled() -> bool:
    return Reminder.objects.count() == 4 and not Reminder.objects.filter(
        status__in=["claimed", "sending"]
    )


def reminder_rows(page) -> dict[str, str]:
    rows = page.locator("table tbody tr")
    return {row.locator("td").nth(1).inner_text(): row.inner_text() for row in rows.all()}


def test_the_dispatcher_reminds_who_has_not_finished_today_and_the_therapist_sees_the_records(
    desktop_page, phone_page, live_worker, therapist_a, server_clock
):
    assert SIX_PM.date() == JOURNEY_START.date()
    patients = clinic_week(therapist_a)
    server_clock.move_to(SIX_PM)
    now = timezone.now().isoformat()
    reminders_dispatch.delay(now)
    reminders_dispatch.delay(now)  # a second beat in the same minute claims nothing more
    wait_for(settled, 30, "four reminder records")

    outcomes = dict(Reminder.objects.values_list("patient__full_name", "status"))
    assert outcomes == {
        "Ann Archer": "sent",
        "Ben Brooks": "sent",
        "Cai Chen": "skipped",
        "Dee Dale": "skipped",
    }
    wait_for(lambda: len(live_worker.messages) >= 2, 15, "two reminder emails")
    assert sorted(m["To"] for m in live_worker.messages) == sorted(
        [patients["ann"].email, patients["ben"].email]
    )
    (email,) = live_worker.to(patients["ann"].email)
    body = email.get_payload(decode=True).decode()
    assert "/today/" in body

    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, therapist_a)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("rowheader", name="Ann Archer")).to_be_visible()
    check_page(page, "j4-dashboard", readme="therapist-dashboard")
    # "Inbox", or "Inbox 2 waiting" when something waits there.
    page.get_by_role("link", name=re.compile(r"^Inbox( \d+ waiting)?$")).click()
    page.wait_for_url("**/inbox/")
    check_page(page, "j4-inbox")
    page.get_by_role("link", name="Reminders sent to your patients").click()
    page.get_by_role("heading", name="Reminders").wait_for()
    rows = reminder_rows(page)
    assert "Sent 18:00" in rows["Ann Archer"]
    assert "Sent 18:00" in rows["Ben Brooks"]
    assert "Skipped" in rows["Cai Chen"]
    assert "turned reminders off" in rows["Cai Chen"]
    assert "already done" in rows["Dee Dale"]
    check_page(page, "j4-reminder-records")

    # Ann turns reminders off from her email, on her phone, without signing in.
    phone = phone_page
    phone_errors = watch_errors(phone)
    opt_out = re.search(r"https?://[^/\s]+(/reminders/stop/\S+/)", body)
    assert opt_out is not None
    phone.goto(opt_out.group(1))
    check_page(phone, "j4-opt-out-confirm")
    phone.get_by_role("button", name="Stop reminders").tap()
    phone.get_by_role("heading", name="Reminders stopped").wait_for()
    check_page(phone, "j4-opt-out-done")
    assert not Patient.objects.get(pk=patients["ann"].pk).reminders_enabled

    server_clock.shift(timedelta(days=1))
    reminders_dispatch.delay(timezone.now().isoformat())
    wait_for(lambda: Reminder.objects.count() == 8, 30, "the next day's records")
    wait_for(lambda: not Reminder.objects.filter(status__in=["claimed", "sending"]), 30)
    next_day = Reminder.objects.filter(local_date=SIX_PM.date() + timedelta(days=1))
    assert next_day.get(patient=patients["ann"]).reason == "The patient turned reminders off"
    assert errors == []
    assert phone_errors == []


def test_a_patient_chooses_their_reminder_time_on_the_phone_and_is_reminded_then(
    phone_page, live_worker, therapist_a, server_clock
):
    """Journey 4's "patient's chosen local time": Ben picks 19:15 on his phone; the 18:00
    beat reminds Ann but not him, the 19:15 beat reminds him, once."""
    patients = clinic_week(therapist_a)
    server_clock.move_to(SIX_PM - timedelta(hours=2))
    page = phone_page
    errors = watch_errors(page)
    sign_in_patient(page, patients["ben"])
    page.get_by_role("link", name="Reminders", exact=True).tap()
    page.get_by_role("heading", name="Reminders and time zone").wait_for()
    expect(page.get_by_label("Remind me on my exercise days")).to_be_checked()
    expect(page.get_by_label("Remind me at (optional)")).to_have_value("18:00")
    expect(page.get_by_text("your clinic's usual time, 18:00")).to_be_visible()
    check_page(page, "j4-patient-reminders")

    page.get_by_label("Remind me at (optional)").fill("22:30")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.get_by_role("alert").first).to_contain_text("inside the clinic's quiet hours")
    check_page(page, "j4-patient-reminders-refused")
    assert Patient.objects.get(pk=patients["ben"].pk).reminder_time == time(18, 0)
    assert errors == [f"400 POST {page.url}"], "the refusal, and nothing else"
    errors.clear()

    page.get_by_label("Remind me at (optional)").fill("19:15")
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(
        page.get_by_text("Saved. Reminders come at 19:15 on your exercise days.")
    ).to_be_visible()
    expect(page.get_by_label("Remind me at (optional)")).to_have_value("19:15")

    server_clock.move_to(SIX_PM)
    reminders_dispatch.delay(timezone.now().isoformat())
    wait_for(settled_for(3), 30, "the 18:00 records")
    assert not Reminder.objects.filter(patient=patients["ben"]).exists()
    server_clock.move_to(SIX_PM + timedelta(hours=1, minutes=15))
    reminders_dispatch.delay(timezone.now().isoformat())
    reminders_dispatch.delay(timezone.now().isoformat())
    wait_for(settled_for(4), 30, "Ben's record")

    ben = Reminder.objects.get(patient=patients["ben"])
    assert (ben.status, ben.due_at.astimezone(UTC).time()) == ("sent", time(19, 15))
    wait_for(lambda: live_worker.to(patients["ben"].email), 15, "Ben's email")
    assert len(live_worker.to(patients["ben"].email)) == 1
    assert errors == []


def settled_for(count: int):
    def settled() -> bool:
        return Reminder.objects.count() == count and not Reminder.objects.filter(
            status__in=["claimed", "sending"]
        )

    return settled
