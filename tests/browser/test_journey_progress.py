"""Journey 3, progress: the patient logs 20 reps a side at clamshell level 1 on their phone; a
real Celery worker evaluates the logs and the therapist finds the prompt in the inbox (and an
email), approves it with a note; the next day the patient sees level 2 and why.

The app's clock (``server_clock``) is moved to the next day in this process, where the live
server runs; the worker keeps the real time, which is safe because it only evaluates the logs
(their ``performed_on`` day, never "now")."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from apps.programs.models import LevelChange, ProgressionPrompt, SetLog
from tests.browser.conftest import (
    browser_clock,
    check_page,
    clamshell_item,
    sign_in_patient,
    sign_in_staff,
    watch_errors,
)
from tests.integration.harness import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

NOTE = "Great work: 20 on both sides. Keep it slow and controlled."


@pytest.fixture
def clam(patient_a, server_clock):
    return clamshell_item(patient_a, current_level=1, reps=12)


def log_twenty_a_side(page, card) -> None:
    card.get_by_label(re.compile(r"^Reps done")).fill("20")
    for side in ("left", "right"):
        # Every set needs its own pain choice: nothing carries over from the last set.
        card.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
        card.get_by_role("button", name=re.compile(rf"^Log {side} set 1: 20 reps")).tap()
        page.locator("#sync-status").filter(has_text="All your sets are saved.").wait_for()


def open_inbox_until_the_prompt_shows(page, patient_name: str, timeout: float = 30):
    """The therapist opens the inbox and refreshes it until the worker's prompt is there."""
    page.get_by_role("link", name=re.compile(r"^Inbox( \d+ waiting)?$")).click()
    card = page.locator(".prompt-card", has_text=patient_name)
    deadline = time.monotonic() + timeout
    while not card.is_visible():
        assert time.monotonic() < deadline, "no progression prompt reached the inbox"
        page.wait_for_timeout(1000)
        page.reload()
    return card


def test_twenty_reps_a_side_prompt_the_therapist_and_the_patient_sees_level_two_next_day(
    phone_page, desktop_page, live_worker, patient_a, therapist_a, clam, server_clock
):
    phone, staff = phone_page, desktop_page
    errors = [watch_errors(phone), watch_errors(staff)]
    browser_clock(phone)
    sign_in_patient(phone, patient_a)
    card = phone.locator(f"#item-{clam.public_id}")
    expect(card.get_by_text("Level 1 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    log_twenty_a_side(phone, card)
    check_page(phone, "j3-twenty-reps")

    logs = list(SetLog.objects.filter(item=clam))
    assert sorted((log.side, log.reps, log.ladder_level) for log in logs) == [
        ("left", 20, 1),
        ("right", 20, 1),
    ]
    wait_for(
        lambda: not SetLog.objects.filter(item=clam, evaluated_at__isnull=True).exists(),
        30,
        "the worker to evaluate both logs",
    )

    sign_in_staff(staff, therapist_a)
    prompt_card = open_inbox_until_the_prompt_shows(staff, patient_a.full_name)
    expect(prompt_card).to_contain_text("Clamshell (Boren 2011)")
    expect(prompt_card).to_contain_text(re.compile(r"Next\s*Level 2: Reverse clamshell"))
    check_page(staff, "j3-inbox-prompt")
    wait_for(lambda: live_worker.to(therapist_a.email), 15, "the prompt email")
    (email,) = live_worker.to(therapist_a.email)
    assert "ready for level 2 of Clamshell" in email["Subject"]

    prompt_card.get_by_label("Note for the patient (optional)").fill(NOTE)
    prompt_card.get_by_role("button", name="Approve level 2").click()
    expect(staff.locator(".prompt-card", has_text="Approved")).to_be_visible()
    check_page(staff, "j3-inbox-approved")
    prompt = ProgressionPrompt.objects.get()
    assert (prompt.status, prompt.level, prompt.next_level) == ("approved", 1, 2)

    # The same day nothing changes for the patient: the new level starts tomorrow.
    phone.reload()
    expect(card.get_by_text("Level 1 of 4 · Clamshell (Boren 2011)")).to_be_visible()

    server_clock.shift(timedelta(days=1))
    phone.context.clock.set_system_time(datetime.now(UTC))
    phone.reload()
    change = phone.locator(".level-change")
    expect(change).to_contain_text("New level: Clamshell (Boren 2011) level 2 (Reverse clamshell)")
    expect(change).to_contain_text(f"Why: {NOTE}")
    expect(card.get_by_text("Level 2 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    expect(card.get_by_role("heading", name="Reverse clamshell")).to_be_visible()
    expect(phone.get_by_text("0 of 4 sets done")).to_be_visible()
    check_page(phone, "j3-next-day-level-two")

    (level_change,) = LevelChange.objects.all()
    assert level_change.effective_on == patient_a.local_today()
    assert ProgressionPrompt.objects.count() == 1
    assert errors == [[], []]
