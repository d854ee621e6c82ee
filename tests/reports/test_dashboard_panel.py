"""The dashboard's list of patients is read through a statement compiled once for each kind
of list: it must give what ``dashboard_patients`` gives, for every role and filter, whatever
ids and days come next."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.clinics.models import Role
from apps.patients.models import HipPrecaution, PrecautionKind
from apps.reports.dashboard_selectors import (
    _PANEL_COLUMNS,
    MONTH_DAYS,
    _panel_rows,
    dashboard_patients,
)
from tests.factories import AdminFactory, ClinicFactory, PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _expected(user, therapist):
    """The queryset the statement stands for, compiled and run the usual way."""
    today = timezone.now().date()
    held = HipPrecaution.objects.filter(
        patient_id=OuterRef("pk"),
        starts_on__lte=today + timedelta(days=1),
        ends_on__gt=today - timedelta(days=MONTH_DAYS + 1),
    )
    chosen = dashboard_patients(user=user, therapist=therapist)
    return list(chosen.annotate(held=Exists(held)).values_list(*_PANEL_COLUMNS))


def test_every_kind_of_list_gives_what_its_queryset_gives():
    clinic, elsewhere = ClinicFactory(), ClinicFactory()
    admin = AdminFactory(clinic=clinic)
    one, two = (StaffFactory(clinic=clinic, role=Role.THERAPIST) for _ in range(2))
    stranger = StaffFactory(clinic=elsewhere, role=Role.THERAPIST)
    mine = [PatientFactory(clinic=clinic, therapist=one) for _ in range(3)]
    PatientFactory(clinic=clinic, therapist=two, archived_at=timezone.now())  # left out
    PatientFactory(clinic=clinic, therapist=two, link_failed_attempts=9)
    PatientFactory(clinic=elsewhere, therapist=stranger)
    today = timezone.now().date()
    for starts, ends in ((-3, 3), (-60, -40), (2, 9)):  # in force, long over, to come
        HipPrecaution.objects.create(
            patient=mine[0], kind=PrecautionKind.POSTERIOR,
            starts_on=today + timedelta(days=starts), ends_on=today + timedelta(days=ends),
        )  # fmt: skip
    HipPrecaution.objects.create(
        patient=mine[1], kind=PrecautionKind.ANTERIOR,
        starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=40),
    )  # fmt: skip

    for user, therapist in [
        (one, None), (two, None), (stranger, None), (admin, None), (admin, one), (admin, two),
        (one, two),  # a therapist sees their own whoever they ask for
    ]:  # fmt: skip
        expected = _expected(user, therapist)
        assert _panel_rows(user, therapist) == expected, (user.role, therapist)
        assert expected or user is stranger  # each case reads rows (but the lone stranger)
    held = {row[0]: row[7] for row in _panel_rows(admin, None)}
    assert held[mine[0].pk] is True
    assert held[mine[1].pk] is False


def test_a_patient_or_a_user_of_no_clinic_lists_nobody():
    patient = PatientFactory()
    assert _panel_rows(patient.user, None) == []
    assert _panel_rows(StaffFactory.build(clinic=None), None) == []


def test_the_days_follow_the_clock(time_machine):
    therapist = StaffFactory(role=Role.THERAPIST)
    patient = PatientFactory(clinic=therapist.clinic, therapist=therapist)
    HipPrecaution.objects.create(
        patient=patient, kind=PrecautionKind.POSTERIOR,
        starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 10),
    )  # fmt: skip
    time_machine.move_to("2026-03-05 12:00Z", tick=False)
    assert _panel_rows(therapist, None)[0][7] is True
    time_machine.move_to("2026-05-05 12:00Z", tick=False)
    assert _panel_rows(therapist, None)[0][7] is False
