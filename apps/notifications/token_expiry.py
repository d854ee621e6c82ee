"""Warnings to a clinic's admins that one of its API tokens expires soon.

An expired token is refused with a 401, and an integration (a clinic's reporting script, a
records system) that nobody watches simply stops: its admins are emailed ``THRESHOLDS`` days
before, so they can make its successor in time. Once per token and threshold: a
``TokenExpiryWarning`` row, unique per token and threshold, is written in the transaction
that records each admin's ``StaffNotification`` and enqueues its sending through the outbox,
so a retried task, two runs at once or a worker that dies mid-send never warn twice (the
email itself is exactly-once-or-recorded, ``apps.notifications.delivery``). Revoked tokens,
tokens of a suspended clinic and tokens a successor replaced (``api_tokens_expiring``) are
not warned about.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery

from apps.clinics.models import EXPIRY_WARNING, ApiToken
from apps.clinics.selectors import api_tokens_expiring, clinic_admins
from apps.notifications.dispatch import enqueue_notifications
from apps.notifications.models import NotificationKind, StaffNotification, TokenExpiryWarning

# Days before expiry. The first is when the API tokens page starts marking a token.
THRESHOLDS = (EXPIRY_WARNING.days, 3)


def token_expiry_due(token: ApiToken, *, now: datetime) -> int | None:
    """The threshold whose warning is due for ``token`` at ``now``: the nearest one its time
    left has reached, among those its lifetime began before (a token made with 10 days left
    is warned 3 days before only). None while none is."""
    left = token.expires_at - now
    lifetime = token.expires_at - token.created_at
    reached = [days for days in THRESHOLDS if left <= timedelta(days=days) < lifetime]
    return min(reached, default=None)


@transaction.atomic
def token_expiry_warnings_raise(*, now: datetime) -> list[int]:
    """Raise every expiry warning due at ``now`` and enqueue its emails to the token's clinic's
    admins; returns the ids of the emails recorded. Safe to run twice, or twice at once: a
    warning already raised (by an earlier run, or by one committing meanwhile) is skipped. A
    fixed number of queries, whatever the number of tokens."""
    due = _due(now=now)
    if not due:
        return []
    raised = _record(due, now=now)
    tokens = {token.pk: token for token, _ in due}
    admins: dict[int, list[int]] = {}
    for pk, clinic_id in clinic_admins(
        clinic_ids={token.clinic_id for token in tokens.values()}
    ).values_list("pk", "clinic_id"):
        admins.setdefault(clinic_id, []).append(pk)
    rows = StaffNotification.objects.bulk_create(
        StaffNotification(
            kind=NotificationKind.TOKEN_EXPIRY,
            recipient_id=admin,
            token_warning_id=warning,
            retry_after=now,
            created_at=now,
            updated_at=now,
        )
        for warning, token_id in raised
        for admin in admins.get(tokens[token_id].clinic_id, [])
    )
    ids = [row.pk for row in rows]
    enqueue_notifications(ids, now=now)
    return ids


def _due(*, now: datetime) -> list[tuple[ApiToken, int]]:
    """Each token whose warning is due at ``now`` and not yet raised, with its threshold. A
    threshold passed with its warning unraised (the job did not run in between) is not raised
    late: the nearer one says the same, with less time left."""
    nearest_raised = TokenExpiryWarning.objects.filter(token=OuterRef("pk")).order_by("days_before")
    tokens = api_tokens_expiring(now=now, within=timedelta(days=max(THRESHOLDS))).annotate(
        warned=Subquery(nearest_raised.values("days_before")[:1])
    )
    due: list[tuple[ApiToken, int]] = []
    for token in tokens:
        days = token_expiry_due(token, now=now)
        if days is not None and (token.warned is None or days < token.warned):
            due.append((token, days))
    return due


def _record(due: list[tuple[ApiToken, int]], *, now: datetime) -> list[tuple[int, int]]:
    """Insert the warnings ``due``; returns (warning id, token id) of those this call raised.

    ON CONFLICT DO NOTHING, then read back by this run's id: a run that meets a warning
    another has just inserted waits for its commit and then skips it (or inserts it, if the
    other rolled back), so each is raised by one run. In token order, so two runs wait on
    each other in one order and never deadlock."""
    run = uuid.uuid4()
    TokenExpiryWarning.objects.bulk_create(
        [
            TokenExpiryWarning(token=token, days_before=days, run=run, created_at=now)
            for token, days in sorted(due, key=lambda pair: pair[0].pk)
        ],
        ignore_conflicts=True,
    )
    mine = TokenExpiryWarning.objects.filter(run=run, token_id__in=[t.pk for t, _ in due])
    return list(mine.values_list("pk", "token_id"))
