"""Property: the staff menu's inbox count, one statement built once per role, equals its
former ORM definition (five counting subqueries, kept below as the reference) for every
member of staff of two clinics, whatever the prompts (every status, snoozed until any day
around now, held back or not), the pain alerts (seen or not), the clinic's time zone and the
hour: never another clinic's items, nor a colleague's for a therapist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.clinics.models import Clinic, User
from apps.notifications import selectors
from apps.notifications.models import PainAlert
from apps.programs.models import ProgressionPrompt, PromptStatus
from tests.factories import (
    AdminFactory,
    ClinicFactory,
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)


def _count(queryset: QuerySet) -> Subquery:
    return Subquery(
        queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def reference_count(*, user, now: datetime) -> int:
    """``inbox_waiting_count`` as it was (its ORM statement, compiled on every call)."""
    if user.clinic_id is None:
        return 0
    utc_day = now.astimezone(UTC).date()
    days = [utc_day + timedelta(days=d) for d in (-1, 0, 1)]
    prompts = selectors.prompts_for_staff(user)
    snoozed = prompts.filter(status=PromptStatus.SNOOZED)
    row = (
        Clinic.objects.filter(pk=user.clinic_id)
        .values("time_zone")
        .annotate(
            pending=_count(prompts.filter(status=PromptStatus.PENDING)),
            alerts=_count(PainAlert.objects.for_staff(user).filter(acknowledged_at__isnull=True)),
            back_before=_count(snoozed.filter(snoozed_until__lte=days[0])),
            back_today=_count(snoozed.filter(snoozed_until=days[1])),
            back_tomorrow=_count(snoozed.filter(snoozed_until=days[2])),
        )
        .first()
    )
    if row is None:
        return 0
    today = now.astimezone(ZoneInfo(row["time_zone"])).date()
    back = row["back_before"]
    back += row["back_today"] if today >= days[1] else 0
    back += row["back_tomorrow"] if today >= days[2] else 0
    return int(row["pending"] + row["alerts"] + back)


@pytest.fixture
def world(db):
    """Two clinics: A with two therapists (two patients and one) and an admin, B with one
    therapist, one patient and an admin; each patient with one program item."""
    clinic_a, clinic_b = ClinicFactory(), ClinicFactory()
    first, second = StaffFactory(clinic=clinic_a), StaffFactory(clinic=clinic_a)
    other = StaffFactory(clinic=clinic_b)
    patients = [
        PatientFactory(therapist=first),
        PatientFactory(therapist=first),
        PatientFactory(therapist=second),
        PatientFactory(therapist=other),
    ]
    items = [ExerciseItemFactory(program=ProgramFactory(patient=p)) for p in patients]
    staff = [first, second, other, AdminFactory(clinic=clinic_a), AdminFactory(clinic=clinic_b)]
    return clinic_a, clinic_b, items, staff


ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", "Europe/London"]
PROMPT = st.fixed_dictionaries(
    {
        "patient": st.integers(0, 3),
        "status": st.sampled_from(list(PromptStatus)),
        "snoozed_until": st.none() | st.integers(-3, 3),  # days from the UTC date
        "held_back": st.booleans(),
    }
)
ALERTS = st.dictionaries(  # one a patient and day: (patient, days ago) -> seen
    st.tuples(st.integers(0, 3), st.integers(0, 3)), st.booleans(), max_size=6
)


def _prompt(item, spec, utc_day) -> ProgressionPrompt:
    until = spec["snoozed_until"]
    return ProgressionPrompt(
        patient_id=item.program.patient_id,
        item=item,
        track=uuid.uuid4(),
        level=1,
        status=spec["status"],
        snoozed_until=None if until is None else utc_day + timedelta(days=until),
        held_back_pain=7 if spec["held_back"] else None,
    )


def _alert(item, days_ago, seen, utc_day) -> PainAlert:
    return PainAlert(
        patient_id=item.program.patient_id,
        local_date=utc_day - timedelta(days=days_ago),
        pain=8,
        acknowledged_at=timezone.now() if seen else None,
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    hour=st.integers(0, 23),
    prompts=st.lists(PROMPT, max_size=12),
    alerts=ALERTS,
)
def test_the_count_equals_the_former_orm_definition_for_every_member_of_staff(
    world, zones, hour, prompts, alerts
):
    clinic_a, clinic_b, items, staff = world
    now = datetime(2026, 3, 10, hour, 30, tzinfo=UTC)
    utc_day = now.date()
    with transaction.atomic():
        for clinic, zone in zip((clinic_a, clinic_b), zones, strict=True):
            clinic.time_zone = zone
            clinic.save(update_fields=["time_zone"])
        ProgressionPrompt.objects.bulk_create(
            [_prompt(items[spec["patient"]], spec, utc_day) for spec in prompts]
        )
        PainAlert.objects.bulk_create(
            [_alert(items[p], ago, seen, utc_day) for (p, ago), seen in alerts.items()]
        )
        for user in staff:
            expected = reference_count(user=user, now=now)
            assert selectors.inbox_waiting_count(user=user, now=now) == expected, user.role
        transaction.set_rollback(True)


def test_the_reference_sees_what_the_count_leaves_out(world):
    """The property holds only if the reference tells items apart: here it counts a
    therapist's own open prompt, not a colleague's nor another clinic's."""
    _, _, items, staff = world
    now = timezone.now()
    for index in (0, 2, 3):
        item = items[index]
        ProgressionPrompt.objects.create(
            patient_id=item.program.patient_id, item=item, track=uuid.uuid4(), level=1
        )

    assert [reference_count(user=user, now=now) for user in staff] == [1, 1, 1, 2, 1]
    assert [selectors.inbox_waiting_count(user=user, now=now) for user in staff] == [1, 1, 1, 2, 1]


def test_anyone_but_staff_of_a_clinic_has_nothing_waiting(world, django_assert_num_queries):
    """A patient (whose clinic the former definition read, then failed on: it has no
    prompts to count) and an operator of no clinic: 0, and no query."""
    items = world[2]
    patient_user = items[0].program.patient.user
    operator = User.objects.create_superuser("operator@ops.example", "operator-password")

    with django_assert_num_queries(0):
        assert selectors.inbox_waiting_count(user=patient_user) == 0
        assert selectors.inbox_waiting_count(user=operator) == 0
