"""Signals the clinics app sends; layers above it (the audit log) listen.

Each is sent inside its service's transaction, after the change, so a receiver that fails
rolls the change back: nothing here is saved without its audit entry.

``clinic_changed`` (``clinic_settings_update``, and ``clinic_update`` and ``clinic_add`` for
operators in Django admin): ``clinic``, ``actor`` (the clinic admin, the operator, or None
from a shell), ``changes`` (field name to ``(old, new)``) and ``created``: True for a new
clinic, whose ``changes`` are what differs from a new clinic's defaults.

``staff_changed`` (the staff services): ``staff`` (the colleague's account; for a cancelled
invitation the row about to be deleted), ``actor`` (the admin; the person themself for what
they do to their own account: two-factor turned on, a password chosen from an emailed link),
``change``, a ``StaffChange``, and optionally ``request`` (for the address it came from).

``account_changed`` (``account_add``, ``account_update``: an operator in Django admin):
``account``, ``actor`` (the operator), ``changes`` (field name to ``(old, new)``) and
``created``: True for a new account, whose ``changes`` are what differs from a new account's
defaults.

``api_token_changed`` (``api_token_create``, ``api_token_revoke``): ``token``, ``actor``
(the admin) and ``change``, a ``TokenChange``. A revocation of a token already revoked
changes nothing and is not sent.
"""

from enum import StrEnum

from django.dispatch import Signal

clinic_changed = Signal()
staff_changed = Signal()
account_changed = Signal()
api_token_changed = Signal()


class StaffChange(StrEnum):
    INVITED = "invited"
    INVITATION_RENEWED = "invitation renewed"
    INVITATION_CANCELLED = "invitation cancelled"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    TWO_FACTOR_RESET = "two-factor sign-in reset"
    TWO_FACTOR_ON = "turned two-factor sign-in on"
    INVITATION_ACCEPTED = "accepted the invitation and chose a password"
    CHOSEN_FROM_LINK = "chose a new password from the emailed link"


class TokenChange(StrEnum):
    CREATED = "created"
    REISSUED = "given a new secret (its form was sent twice)"
    REVOKED = "revoked"
