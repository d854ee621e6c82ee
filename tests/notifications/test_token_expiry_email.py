"""The email that warns a clinic's admins of an API token's expiry: what it says (never the
secret), and what happens to it between its recording and its sending (a retry, a worker
that dies, the token revoked or replaced meanwhile, two runs at once)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail

from apps.clinics.models import ApiToken, Clinic, Role, TokenScope, User
from apps.clinics.tokens import api_token_revoke
from apps.core.models import OutboxMessage
from apps.notifications import delivery
from apps.notifications.dispatch import DELIVER_NOTIFICATIONS, EMAILS_PER_TASK
from apps.notifications.links import api_tokens_url
from apps.notifications.models import DeliveryStatus, StaffNotification, TokenExpiryWarning
from apps.notifications.services import notification_deliver
from apps.notifications.sweep import notifications_sweep
from apps.notifications.tasks import TASK_OPTIONS
from apps.notifications.token_expiry import token_expiry_warnings_raise
from tests.factories import AdminFactory, StaffFactory
from tests.notifications.token_helpers import NOW, emails_to, token_expiring, warn
from tests.programs.races import race

pytestmark = pytest.mark.django_db
SEND = "django.core.mail.EmailMessage.send"


def recorded(admin: User, **token: object) -> tuple[ApiToken, StaffNotification]:
    """A token with 14 days left and its warning email to ``admin``, recorded, not sent."""
    made, _ = token_expiring(admin, days_left=14, **token)  # type: ignore[arg-type]
    with time_machine.travel(NOW, tick=False):
        token_expiry_warnings_raise(now=NOW)
    return made, StaffNotification.objects.get(recipient=admin)


def deliver(row: StaffNotification, *, at=NOW) -> bool:
    with time_machine.travel(at, tick=False):
        return notification_deliver(notification_id=row.pk, now=at, token=row.claim_token)


def test_the_email_names_the_token_its_person_creator_scope_and_expiry_in_the_clinics_time(
    clinic_a, eager
):
    Clinic.objects.filter(pk=clinic_a.pk).update(time_zone="America/New_York")
    admin = AdminFactory(clinic=clinic_a, full_name="Alex Admin")
    robin = StaffFactory(clinic=clinic_a, full_name="Robin Lane")
    # 15 May 02:00 UTC is still 14 May in New York.
    token_expiring(admin, days_left=13 + 17 / 24, user=robin, scope=TokenScope.READ_WRITE)

    warn()

    (email,) = mail.outbox
    assert email.to == [admin.email]
    assert email.subject == "API token “EHR sync” expires on 14 May 2026"
    body = email.body
    assert body.startswith("Hello Alex Admin,")
    assert "expires on Thursday 14 May 2026 at 22:00 (America/New_York)" in body
    assert "Acts as:    Robin Lane" in body
    assert "Access:     Read and write" in body
    assert "Created:    13 February 2026 by Alex Admin" in body
    assert f"\n{api_tokens_url()}\n" in body
    assert api_tokens_url().endswith("/clinic/api-tokens/")


def test_the_email_holds_no_secret_nor_any_part_of_it(admin_a, eager):
    token, secret = token_expiring(admin_a, days_left=14)

    warn()

    (email,) = mail.outbox
    text = email.subject + email.body + str(email.extra_headers)
    for part in (secret, secret[len("cls_") :], token.prefix, token.token_hash):
        assert part not in text


def test_an_email_that_failed_is_retried_and_sent_once(admin_a):
    _, row = recorded(admin_a)
    with mock.patch(SEND, side_effect=OSError(f"550 <{admin_a.email}> refused")):
        assert deliver(row) is False
    row.refresh_from_db()
    assert row.status == DeliveryStatus.CLAIMED
    assert admin_a.email not in row.error

    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        (due,) = notifications_sweep(now=later, batch=10).notifications
        notification_deliver(notification_id=due, now=later)
        notification_deliver(notification_id=due, now=later)

    assert len(emails_to(admin_a)) == 1
    assert StaffNotification.objects.get().status == DeliveryStatus.SENT


def test_a_worker_that_dies_while_sending_leaves_it_unknown_never_sent_again(admin_a, eager):
    token, row = recorded(admin_a)
    with (
        mock.patch(SEND, side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        deliver(row)

    later = NOW + delivery.STUCK_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert notifications_sweep(now=later, batch=10).unknown == 1
    assert warn(NOW + timedelta(days=1)) == []  # the next day's run raises it not again

    assert mail.outbox == []
    assert StaffNotification.objects.get().status == DeliveryStatus.UNKNOWN
    assert token.expiry_warnings.count() == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("revoked", "the API token was revoked"),
        ("replaced", "replaced by a newer one of the same name, person and access"),
        ("demoted", "no longer an admin of the token's clinic"),
    ],
)
def test_an_email_no_longer_needed_when_its_turn_comes_is_skipped(admin_a, change, why):
    """Recorded, then waiting for its task (or a retry) while the admin revoked the token,
    made its successor, or stopped being an admin."""
    token, row = recorded(admin_a)
    if change == "revoked":
        api_token_revoke(admin=admin_a, token=token)
    elif change == "replaced":
        token_expiring(admin_a, days_left=89)
    else:
        User.objects.filter(pk=admin_a.pk).update(role=Role.THERAPIST)

    assert deliver(row) is False

    row.refresh_from_db()
    assert (row.status, mail.outbox) == (DeliveryStatus.SKIPPED, [])
    assert why in row.error


@pytest.mark.parametrize("other", ["person", "scope"])
def test_an_email_still_goes_when_the_newer_token_acts_as_someone_else_or_otherwise(
    admin_a, therapist_a, other
):
    """Checked again at sending time by the same rule: a token of the same name made since,
    acting as another person or with another scope, is no successor."""
    _, row = recorded(admin_a)
    if other == "person":
        token_expiring(admin_a, days_left=89, user=therapist_a)
    else:
        token_expiring(admin_a, days_left=89, scope=TokenScope.READ_WRITE)

    assert deliver(row) is True

    row.refresh_from_db()
    assert (row.status, len(emails_to(admin_a))) == (DeliveryStatus.SENT, 1)


def test_an_email_of_a_token_expired_before_its_turn_is_skipped(admin_a):
    _, row = recorded(admin_a)

    assert deliver(row, at=NOW + timedelta(days=15)) is False

    row.refresh_from_db()
    assert row.status == DeliveryStatus.SKIPPED
    assert row.error == "Not sent: the API token has expired."


def test_the_emails_go_out_in_batches_each_reserved_for_its_task(admin_a):
    for number in range(EMAILS_PER_TASK + 1):
        token_expiring(admin_a, days_left=14, name=f"Sync {number}")

    with time_machine.travel(NOW, tick=False):
        ids = token_expiry_warnings_raise(now=NOW)

    batches = [message.args[0] for message in OutboxMessage.objects.order_by("pk")]
    assert batches == [ids[:EMAILS_PER_TASK], ids[EMAILS_PER_TASK:]]
    assert set(OutboxMessage.objects.values_list("task", flat=True)) == {DELIVER_NOTIFICATIONS}
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        sweep = notifications_sweep(now=NOW + timedelta(minutes=2), batch=10)
    assert sweep.notifications == []  # the sweep leaves them to their tasks


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_warn_once(require_postgres, eager):
    """Run A raises the warning and holds its transaction open; run B, seeing no warning yet,
    inserts the same one, waits on A's row, then skips it once A commits."""
    admin = AdminFactory()
    token_expiring(admin, days_left=14)
    ids: list[list[int]] = []

    def run() -> None:
        ids.append(token_expiry_warnings_raise(now=NOW))

    with time_machine.travel(NOW, tick=False):
        race(run, run)

    assert sorted(len(each) for each in ids) == [0, 1]
    assert TokenExpiryWarning.objects.count() == 1
    assert StaffNotification.objects.count() == 1
    assert OutboxMessage.objects.filter(task=DELIVER_NOTIFICATIONS).count() == 1
    assert len(emails_to(admin)) == 1


def test_a_batch_of_emails_fits_in_its_task_even_against_a_hanging_mail_server(settings):
    # Each email may hold its SMTP connection for EMAIL_TIMEOUT: past the soft limit, the
    # email being sent would be left "unknown" and never resent.
    assert TASK_OPTIONS["soft_time_limit"] > EMAILS_PER_TASK * settings.EMAIL_TIMEOUT
