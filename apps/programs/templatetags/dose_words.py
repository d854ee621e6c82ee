"""A logged set's prescribed dose in the words of ``apps.programs.doses``, for templates:
``{{ log|prescribed_for_patient }}`` as Today says it, ``{{ log|prescribed_for_staff }}`` as
the builder does."""

from __future__ import annotations

from django import template

from apps.programs.doses import dose_amount, patient_amount, prescribed_by
from apps.programs.models import SetLog

register = template.Library()


@register.filter
def prescribed_for_patient(log: SetLog) -> str:
    return patient_amount(prescribed_by(log))


@register.filter
def prescribed_for_staff(log: SetLog) -> str:
    return dose_amount(prescribed_by(log))
