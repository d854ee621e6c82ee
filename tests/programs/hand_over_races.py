"""A therapist's request sent while a clinic admin hands all their patients over to a
colleague (``patients_hand_over``): the hand-over holds the patients' rows, uncommitted,
until the request is seen waiting on a patient's lock or has finished (``races.race``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from apps.patients.handover import patients_hand_over
from tests.factories import StaffFactory
from tests.programs.races import race

T = TypeVar("T")


def during_a_hand_over(*, admin: User, therapist: User, send: Callable[[], T]) -> T:
    """What ``send`` answered, sent as ``admin`` moves ``therapist``'s patients to a new
    colleague."""
    colleague: User = StaffFactory(clinic=therapist.clinic)
    answers: list[T] = []

    def hand_over() -> None:
        patients_hand_over(actor=admin, source=therapist, target=colleague)

    race(hand_over, lambda: answers.append(send()))
    return answers[0]


def audits_by(user: User) -> int:
    """The audit entries ``user`` made (the hand-over's are the admin's)."""
    return AuditEntry.objects.filter(actor=user).count()
