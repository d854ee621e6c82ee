"""An append-only, tamper-evident log of who read, changed, exported or deleted patient data.

Each entry stores the SHA-256 of its own content chained to the previous entry's hash, so
editing or deleting any entry breaks every hash after it (``manage.py audit_verify``).
Entries name records (type and public id); they never copy health data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from apps.clinics.models import User


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""

    def __init__(self, what: str = "change") -> None:
        super().__init__(f"The audit log is append-only: entries cannot be {what}d.")


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk changes; the PostgreSQL trigger (migration 0002) backs this up."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("change")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("delete")

    def visible_to(self, user: User) -> AuditEntryQuerySet:
        """A clinic admin sees their clinic's entries; nobody else sees any."""
        if not user.is_authenticated or not getattr(user, "is_clinic_admin", False):
            return self.none()
        return self.filter(clinic_id=user.clinic_id)


class AuditEntry(models.Model):
    # The place in the one hash chain of the whole installation: operators only.
    sequence = models.BigIntegerField(unique=True)
    # The number a clinic's admins see: 1, 2, 3... within their clinic, so it says nothing
    # about other clinics' activity. Not covered by the hash (entries written before it
    # existed were numbered afterwards); the chain, the trigger and the unique constraint
    # keep it honest, and audit_verify checks it has no gaps.
    clinic_sequence = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the patient row is erased, so the trail still names whose data it was.
    patient_ref = models.CharField(max_length=64, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_ref = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="Never health data.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-sequence"]
        verbose_name_plural = "audit entries"
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["clinic", "-sequence"]),
            models.Index(fields=["patient_ref"]),
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["clinic", "clinic_sequence"], name="audit_one_number_per_clinic_entry"
            )
        ]

    def __str__(self) -> str:
        number = self.clinic_sequence if self.clinic_sequence is not None else self.sequence
        return f"#{number} {self.action} {self.target_type} {self.target_ref}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant, not business logic: a row, once written, is never written again.
        if not self._state.adding:
            raise AppendOnlyError("change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("delete")
