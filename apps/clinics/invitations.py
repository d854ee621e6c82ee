"""Staff invitations: a clinic admin adds a colleague with no password (``staff_invite``),
sends the emailed link again or withdraws it; the colleague chooses a password through it
(``staff_password_choose``, also the link a reactivation sends)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest

from apps.clinics.models import User
from apps.clinics.services import staff_create
from apps.clinics.signals import StaffChange, staff_changed
from apps.core.text import ONE_LINE_MESSAGE, is_one_line

# Said of an address with an account anywhere but on this clinic's staff (another clinic's
# staff, an operator): never which, nor that another clinic uses Clamshell. The invitation
# form must not let a clinic admin find out who works elsewhere.
UNAVAILABLE = (
    "This address cannot be invited. Ask the person for another email address, or contact support."
)


def _address_taken(admin: User, email: str) -> ValidationError | None:
    """Why ``email`` cannot be invited to ``admin``'s clinic, or None: a colleague already
    on its staff is named, with what to do instead; any other account gets ``UNAVAILABLE``."""
    account = User.objects.filter(email__iexact=email).first()
    if account is None:
        return None
    if account.clinic_id != admin.clinic_id or not account.is_clinic_staff:
        return ValidationError({"email": UNAVAILABLE})
    name = account.full_name or account.email
    if staff_is_invited(account):
        state = ", invited: use Resend invitation in the list above"
    elif not account.is_active:
        state = ", deactivated: reactivate them in the list above"
    else:
        state = ""
    return ValidationError({"email": f"{name} is already on your staff{state}."})


@transaction.atomic
def staff_invite(*, admin: User, email: str, full_name: str, role: str) -> User:
    """Add a therapist or admin to the admin's clinic with no password yet; they choose one
    through the emailed set-password link (sent after commit by the caller's view)."""
    if not admin.is_clinic_admin or admin.clinic is None:
        raise ValidationError({"role": "Only a clinic admin can add staff."})
    email = email.strip().lower()
    if not is_one_line(full_name.strip()):
        raise ValidationError({"full_name": ONE_LINE_MESSAGE})
    if refused := _address_taken(admin, email):
        raise refused
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
            staff = staff_create(
                clinic=admin.clinic, email=email, full_name=full_name.strip(), role=role,
                password=None,
            )  # fmt: skip
    except IntegrityError as error:
        # Two invitations of one address at the same moment (a double click): the check above
        # saw neither, the unique index let one through and the other is refused as taken.
        raise _address_taken(admin, email) or ValidationError({"email": UNAVAILABLE}) from error
    staff_changed.send(sender=User, staff=staff, actor=admin, change=StaffChange.INVITED)
    return staff


def staff_is_invited(staff: User) -> bool:
    """Invited and not yet started: the account has never had a password or a sign-in."""
    return staff.is_active and not staff.has_usable_password() and staff.last_login is None


def _invited(admin: User, staff: User) -> User:
    if not admin.is_clinic_admin or staff.clinic_id != admin.clinic_id:
        raise ValidationError({"staff": "Only a clinic admin of the same clinic can do this."})
    if not staff_is_invited(staff):
        raise ValidationError(
            {"staff": f"{staff.full_name} has already chosen a password: nothing to resend."}
        )
    return staff


@transaction.atomic
def staff_invite_renew(*, admin: User, staff: User) -> User:
    """Prepare a fresh invitation (the caller's view emails it after commit).

    A new unusable password changes what the set-password token is made from, so the link in
    any earlier invitation stops working: only the newest email lets them in."""
    _invited(admin, staff)
    staff.set_unusable_password()
    staff.save(update_fields=["password"])
    staff_changed.send(sender=User, staff=staff, actor=admin, change=StaffChange.INVITATION_RENEWED)
    return staff


@transaction.atomic
def staff_invite_cancel(*, admin: User, staff: User) -> None:
    """Withdraw an invitation nobody has accepted: the account is deleted, as if never made.

    Someone who already has patients (moved to them before they started) keeps the account:
    the admin moves the patients first."""
    _invited(admin, staff)
    if staff.patients.exists():
        raise ValidationError(
            {"staff": f"Move {staff.full_name}'s patients to a colleague before cancelling."}
        )
    # Announced before the delete: the entry names the account while it still exists.
    staff_changed.send(
        sender=User, staff=staff, actor=admin, change=StaffChange.INVITATION_CANCELLED
    )
    try:
        staff.delete()
    except ProtectedError as exc:
        raise ValidationError(
            {"staff": f"{staff.full_name} is already named on clinic records; deactivate instead."}
        ) from exc


@transaction.atomic
def staff_password_choose(
    *, staff: User, password: str, request: HttpRequest | None = None
) -> None:
    """Set the password ``staff`` chose through an emailed set-password link (the
    invitation, or the one a reactivation sends; the form checked it), audited under them:
    which of the two, never the password nor the link."""
    invited = staff_is_invited(staff)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    change = StaffChange.INVITATION_ACCEPTED if invited else StaffChange.CHOSEN_FROM_LINK
    staff_changed.send(sender=User, staff=staff, actor=staff, change=change, request=request)
