"""An append-only, tamper-evident log of who read, changed, exported or deleted patient data.

Each entry stores the SHA-256 of its own content chained to the previous entry's hash, so
editing or deleting any entry breaks every hash after it (``manage.py audit_verify``).
Entries name records (type and public id); they never copy health data.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"


class AuditEntry(models.Model):
    sequence = models.BigIntegerField(unique=True)
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

    class Meta:
        ordering: ClassVar[list[str]] = ["-sequence"]
        verbose_name_plural = "audit entries"
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["clinic", "-sequence"]),
            models.Index(fields=["patient_ref"]),
        ]
