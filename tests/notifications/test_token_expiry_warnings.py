"""A clinic's admins are emailed 14 days and 3 days before one of its API tokens expires, once
each (only the warnings still ahead for a token made with less time left), so that an
integration does not stop by surprise with a 401. Revoked tokens, replaced ones (by a newer
token of the same name, person and scope that expires later) and those of a suspended clinic
are not warned about; therapists and other clinics are not told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from apps.clinics.models import ApiToken, Clinic, TokenScope
from apps.clinics.tokens import api_token_revoke
from apps.core.models import OutboxMessage
from apps.notifications.dispatch import DELIVER_NOTIFICATIONS
from apps.notifications.models import (
    DeliveryStatus,
    NotificationKind,
    StaffNotification,
    TokenExpiryWarning,
)
from apps.notifications.token_expiry import token_expiry_warnings_raise
from tests.factories import AdminFactory, StaffFactory
from tests.notifications.token_helpers import NOW, emails_to, token_expiring, warn

pytestmark = pytest.mark.django_db


def warnings_of(token: ApiToken) -> list[int]:
    return sorted(token.expiry_warnings.values_list("days_before", flat=True))


def test_a_token_with_15_days_left_is_not_warned_about(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=15)

    assert warn() == []
    assert warnings_of(token) == []
    assert mail.outbox == []


def test_a_token_with_14_days_left_gets_the_14_day_warning(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=14)

    (notification_id,) = warn()

    assert warnings_of(token) == [14]
    row = StaffNotification.objects.get(pk=notification_id)
    assert (row.kind, row.recipient, row.token_warning.token) == (
        NotificationKind.TOKEN_EXPIRY,
        admin_a,
        token,
    )
    assert row.status == DeliveryStatus.SENT
    assert len(emails_to(admin_a)) == 1


def test_with_3_days_left_the_3_day_warning_follows_the_14_day_one(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=14)
    warn()

    assert warn(NOW + timedelta(days=10)) == []
    assert len(warn(NOW + timedelta(days=11))) == 1

    assert warnings_of(token) == [3, 14]
    assert len(emails_to(admin_a)) == 2


def test_a_token_first_seen_with_3_days_left_gets_only_the_3_day_warning(admin_a, eager):
    """The 14-day warning, not raised in time (the job did not run), is not sent late beside
    the 3-day one: it would say the same with more time left than there is."""
    token, _ = token_expiring(admin_a, days_left=3)

    warn()
    warn()

    assert warnings_of(token) == [3]
    assert len(emails_to(admin_a)) == 1


def test_a_token_made_with_10_days_left_gets_only_the_3_day_warning_later(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=10, lifetime=10)

    assert warn() == []
    assert warn(NOW + timedelta(days=6)) == []
    assert len(warn(NOW + timedelta(days=7))) == 1

    assert warnings_of(token) == [3]


def test_run_every_day_a_token_is_warned_twice_in_all(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=20, lifetime=30)

    for day in range(25):
        warn(NOW + timedelta(days=day))

    assert warnings_of(token) == [3, 14]
    assert len(emails_to(admin_a)) == 2


def test_running_twice_warns_once(admin_a, eager):
    token_expiring(admin_a, days_left=14)

    assert len(warn()) == 1
    assert warn() == []

    assert TokenExpiryWarning.objects.count() == 1
    assert StaffNotification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_warning_and_its_emails_task_are_written_in_one_transaction(admin_a):
    """The outbox message that sends the emails exists exactly when the warning does: a run
    that fails after recording the warning records nothing, and is done again next time."""
    token_expiring(admin_a, days_left=14)

    ids = token_expiry_warnings_raise(now=NOW)

    message = OutboxMessage.objects.get(task=DELIVER_NOTIFICATIONS)
    assert message.args[0] == ids
    assert StaffNotification.objects.get().claim_token is not None  # reserved for that task


def test_every_active_admin_of_the_clinic_is_told_and_nobody_else(
    admin_a, therapist_a, admin_b, eager
):
    second_admin = AdminFactory(clinic=admin_a.clinic)
    departed = AdminFactory(clinic=admin_a.clinic, is_active=False)
    token_expiring(admin_a, days_left=14, user=therapist_a)

    warn()

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([admin_a.email, second_admin.email])
    assert emails_to(therapist_a) == emails_to(admin_b) == emails_to(departed) == []


def test_each_clinic_hears_of_its_own_tokens_only(admin_a, admin_b, eager):
    token_expiring(admin_a, days_left=14, name="Clinic A sync")
    token_expiring(admin_b, days_left=3, name="Clinic B sync")

    warn()

    (to_a,) = emails_to(admin_a)
    (to_b,) = emails_to(admin_b)
    assert "Clinic A sync" in to_a.subject
    assert "Clinic B sync" in to_b.subject


def test_a_revoked_token_is_not_warned_about(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=14)
    api_token_revoke(admin=admin_a, token=token)

    assert warn() == []
    assert warnings_of(token) == []


def test_an_expired_token_is_not_warned_about(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=0)

    assert warn() == []
    assert warnings_of(token) == []


def test_a_token_acting_as_someone_deactivated_is_not_warned_about(admin_a, therapist_a, eager):
    # Refused already (api_token_find): "it stops working on …" would be wrong.
    token, _ = token_expiring(admin_a, days_left=14, user=therapist_a)
    therapist_a.is_active = False
    therapist_a.save(update_fields=["is_active"])

    assert warn() == []
    assert warnings_of(token) == []


def test_a_token_acting_as_someone_now_of_another_clinic_is_not_warned_about(
    admin_a, therapist_a, clinic_b, eager
):
    token, _ = token_expiring(admin_a, days_left=14, user=therapist_a)
    therapist_a.clinic = clinic_b
    therapist_a.save(update_fields=["clinic"])

    assert warn() == []
    assert warnings_of(token) == []


def test_a_token_of_a_suspended_clinic_is_not_warned_about(admin_a, eager):
    token, _ = token_expiring(admin_a, days_left=14)
    Clinic.objects.filter(pk=admin_a.clinic_id).update(suspended_at=NOW - timedelta(days=1))

    assert warn() == []
    assert warnings_of(token) == []


def test_a_token_replaced_by_a_newer_one_of_the_same_name_is_not_warned_about(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14, name="EHR sync")
    token_expiring(admin_a, days_left=80, name="ehr sync ", lifetime=81)

    assert warn() == []
    assert warnings_of(old) == []


def test_a_newer_token_of_another_name_replaces_nothing(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14, name="EHR sync")
    token_expiring(admin_a, days_left=80, name="Reporting", lifetime=81)

    warn()

    assert warnings_of(old) == [14]


def test_a_newer_token_of_the_same_name_acting_as_someone_else_replaces_nothing(
    admin_a, therapist_a, eager
):
    old, _ = token_expiring(admin_a, days_left=14, user=admin_a)
    token_expiring(admin_a, days_left=80, lifetime=81, user=therapist_a)

    warn()

    assert warnings_of(old) == [14]


@pytest.mark.parametrize(
    ("old_scope", "new_scope"),
    [(TokenScope.READ_WRITE, TokenScope.READ), (TokenScope.READ, TokenScope.READ_WRITE)],
)
def test_a_newer_token_of_the_same_name_with_another_scope_replaces_nothing(
    admin_a, eager, old_scope, new_scope
):
    old, _ = token_expiring(admin_a, days_left=14, scope=old_scope)
    token_expiring(admin_a, days_left=80, lifetime=81, scope=new_scope)

    warn()

    assert warnings_of(old) == [14]


def test_a_successor_of_the_same_person_and_scope_replaces_the_token(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14, scope=TokenScope.READ_WRITE)
    token_expiring(admin_a, days_left=80, lifetime=81, scope=TokenScope.READ_WRITE)

    assert warn() == []
    assert warnings_of(old) == []


def test_a_newer_token_that_expires_sooner_replaces_nothing(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14, lifetime=90)
    token_expiring(admin_a, days_left=10, lifetime=30)

    warn()

    assert warnings_of(old) == [14]


def test_an_older_token_that_outlives_it_replaces_nothing(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14, lifetime=30)
    token_expiring(admin_a, days_left=80, lifetime=300)  # made before it

    warn()

    assert warnings_of(old) == [14]


def test_a_revoked_successor_replaces_nothing(admin_a, eager):
    old, _ = token_expiring(admin_a, days_left=14)
    newer, _ = token_expiring(admin_a, days_left=80, lifetime=81)
    api_token_revoke(admin=admin_a, token=newer)

    warn()

    assert warnings_of(old) == [14]


def test_a_clinic_without_an_active_admin_records_the_warning_and_emails_nobody(clinic_a, eager):
    """Its admins may come back; the warning is not raised again for them meanwhile."""
    admin = AdminFactory(clinic=clinic_a)
    token, _ = token_expiring(admin, days_left=14, user=StaffFactory(clinic=clinic_a))
    admin.is_active = False
    admin.save(update_fields=["is_active"])

    assert warn() == []
    assert warnings_of(token) == [14]


def test_the_check_takes_as_many_queries_for_many_tokens_as_for_one(
    admin_a, admin_b, django_assert_max_num_queries
):
    token_expiring(admin_a, days_left=14)
    with django_assert_max_num_queries(9):
        assert len(token_expiry_warnings_raise(now=NOW)) == 1

    for number in range(6):
        token_expiring(admin_a, days_left=3 + number, name=f"A {number}")
        token_expiring(admin_b, days_left=3 + number, name=f"B {number}")
    StaffFactory(clinic=admin_b.clinic)
    AdminFactory(clinic=admin_b.clinic)
    with django_assert_max_num_queries(9):
        assert len(token_expiry_warnings_raise(now=NOW + timedelta(days=1))) == 6 + 6 * 2
