"""The progression and pain loop, end to end (issue 16): a patient on the clamshell ladder,
whose dose rises from 10 toward 20, logs 12, 16 then 20 reps a side with the steppers; a real
Celery worker evaluates the logs and the therapist's inbox shows the prompt; later that day
the patient logs a set with pain 8, which shows the stop advice at once and holds the prompt
back; the therapist approves anyway with a reason; the next day the patient sees level 2.

As in journey 3 (``test_journey_progress``) the app's clock moves in this process, where the
live server runs; the worker keeps the real time, which is safe: it only evaluates logs by
their ``performed_on`` day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from apps.audit.models import AuditEntry
from apps.programs.models import LevelChange, ProgressionPrompt, SetLog
from tests.browser.conftest import (
    browser_clock,
    check_page,
    clamshell_item,
    sign_in_patient,
    sign_in_staff,
    watch_errors,
)
from tests.browser.test_journey_progress import open_inbox_until_the_prompt_shows
from tests.integration.harness import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

REASON = "Pain 8 was a one-off after gardening; she reports it settled within the hour."


@pytest.fixture
def clam(patient_a, server_clock):
    return clamshell_item(patient_a, current_level=1, reps_up_to=20)


def step_to(card, reps: int) -> None:
    """Tap the large + stepper until the reps control shows ``reps``."""
    field = card.get_by_label(re.compile(r"^Reps done"))
    more = card.get_by_role("button", name="One rep more")
    while int(field.input_value()) < reps:
        more.tap()
    expect(field).to_have_value(str(reps))


def log_set(page, card, side: str, set_number: int, reps: int, pain: int) -> None:
    """Choose the pain (every set needs its own: nothing carries over), tap the one log
    button, and wait until the set is saved on the server (listed with its Change link)."""
    # A rest between sets: the page treats two taps on one button within 1.5 s as one.
    page.clock.fast_forward(2000)
    card.locator(".pain-option span", has_text=re.compile(rf"^{pain}$")).tap()
    name = re.compile(rf"^Log {side} set {set_number}: {reps} reps")
    card.get_by_role("button", name=name).tap()
    saved = card.locator(f'.side[data-side="{side}"] li:not(.pending)')
    expect(saved.filter(has_text=f"Set {set_number}: {reps} reps")).to_have_count(1)


def log_both_sides(page, card, set_number: int, reps: int) -> None:
    for side in ("left", "right"):
        log_set(page, card, side, set_number, reps, pain=2)


def evaluated(item) -> None:
    wait_for(
        lambda: not SetLog.objects.filter(item=item, evaluated_at__isnull=True).exists(),
        30,
        "the worker to evaluate the logs",
    )


def test_the_dose_rises_to_twenty_pain_holds_the_prompt_back_and_approve_anyway_moves_up(
    phone_page, desktop_page, live_worker, patient_a, therapist_a, clam, server_clock
):
    phone, staff = phone_page, desktop_page
    errors = [watch_errors(phone), watch_errors(staff)]
    browser_clock(phone)
    sign_in_patient(phone, patient_a)
    card = phone.locator(f"#item-{clam.public_id}")
    expect(card.get_by_text("Level 1 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    expect(card).to_contain_text("2 sets of 10 to 20 reps on each side, building up toward 20")
    expect(card).to_contain_text(
        "Aim for up to 20 reps in one set on each side; stop when your form slips or it hurts "
        "more than 5 out of 10."
    )

    for number, reps in enumerate((12, 16, 20), start=1):
        step_to(card, reps)
        log_both_sides(phone, card, number, reps)
    check_page(phone, "j16-twelve-sixteen-twenty")
    logged = SetLog.objects.filter(item=clam).order_by("logged_at")
    assert [(log.side, log.reps) for log in logged] == [
        ("left", 12), ("right", 12), ("left", 16), ("right", 16), ("left", 20), ("right", 20),
    ]  # fmt: skip
    evaluated(clam)

    sign_in_staff(staff, therapist_a)
    prompt_card = open_inbox_until_the_prompt_shows(staff, patient_a.full_name)
    expect(prompt_card).to_contain_text(re.compile(r"Next\s*Level 2: Reverse clamshell"))
    expect(prompt_card).to_contain_text("20 reps in one set on each side")
    prompt = ProgressionPrompt.objects.get()
    assert not prompt.is_held_back

    # Later that day: one more set, with pain 8. The advice shows at once on the phone.
    server_clock.shift(timedelta(hours=4))
    phone.context.clock.set_system_time(datetime.now(UTC))
    log_set(phone, card, "left", 4, 20, pain=8)
    advice = card.locator("[data-pain-advice]")
    expect(advice).to_be_visible()
    expect(advice).to_contain_text("Stop this exercise for today")
    expect(advice).to_contain_text("You logged pain of 8 out of 10")
    # "Too much" means no more sets of it today (CLINICAL.md): the form folds away and the
    # advice is read next; a set done before stopping is still one tap away, and the fold
    # holds when the page comes again from the server.
    expect(advice).to_be_focused()
    next_set = card.get_by_role("button", name=re.compile(r"^Log left set 5"))
    expect(next_set).to_be_hidden()
    phone.reload()
    expect(advice).to_be_visible()
    expect(next_set).to_be_hidden()
    card.get_by_text("Log a set you did before you stopped").tap()
    expect(next_set).to_be_visible()
    check_page(phone, "j16-pain-eight-advice")
    evaluated(clam)
    prompt.refresh_from_db()
    assert prompt.held_back_pain == 8

    # Hours later the therapist's session has ended for privacy: they sign in again.
    sign_in_staff(staff, therapist_a)
    held = open_inbox_until_the_prompt_shows(staff, patient_a.full_name)
    expect(held).to_contain_text("Held back: pain 8/10")
    expect(held.locator(".prompt-concerns")).to_contain_text("Pain 8/10")
    expect(held.get_by_role("button", name="Approve level 2")).to_have_count(0)
    check_page(staff, "j16-inbox-held-back")
    held.get_by_label("Approve anyway: your reason (required, kept on record)").fill(REASON)
    held.get_by_role("button", name="Approve anyway: level 2").click()
    expect(staff.locator(".prompt-card", has_text="Approved anyway")).to_be_visible()
    check_page(staff, "j16-inbox-approved-anyway")
    prompt.refresh_from_db()
    assert (prompt.status, prompt.override_reason) == ("approved", REASON)
    audited = AuditEntry.objects.filter(target_type="programs.ProgressionPrompt", actor=therapist_a)
    assert audited.filter(detail="approved anyway (reason kept with the prompt)").count() == 1

    # The same day the patient stays at level 1; the next day they see level 2.
    phone.reload()
    expect(card.get_by_text("Level 1 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    server_clock.shift(timedelta(days=1))
    phone.context.clock.set_system_time(datetime.now(UTC))
    phone.reload()
    card = phone.locator(f"#item-{clam.public_id}")
    expect(card.get_by_text("Level 2 of 4 · Clamshell (Boren 2011)")).to_be_visible()
    expect(card.get_by_role("heading", name="Reverse clamshell")).to_be_visible()
    expect(phone.locator(".level-change")).to_contain_text(
        "New level: Clamshell (Boren 2011) level 2 (Reverse clamshell)"
    )
    check_page(phone, "j16-next-day-level-two")
    (change,) = LevelChange.objects.all()
    assert (change.from_level, change.to_level) == (1, 2)
    assert change.effective_on == patient_a.local_today()
    assert errors == [[], []]
