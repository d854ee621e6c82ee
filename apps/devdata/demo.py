"""The demo installation `make run` starts with: two clinics, their staff and patients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from apps.clinics.models import Clinic, Role, User
from apps.exercises.models import Exercise, Ladder
from apps.outcomes.instruments import Code
from apps.outcomes.models import MeasurePlan, Questionnaire, Status
from apps.outcomes.services import measures_set, questionnaire_submit
from apps.patients.models import Patient, Side
from apps.patients.services import patient_create
from apps.programs.item_services import ItemSpec
from apps.programs.logs import set_log_record
from apps.programs.models import Program, ProgramItem, SetLog
from apps.programs.services import program_create

# Printed by seed_demo for the demo clinics only.
DEMO_PASSWORD = "clamshell-demo"  # noqa: S105  # nosec B105
# The installation's operator (a superuser of no clinic): Django admin at /ops/admin/, where
# clinics are suspended; signed in at /sign-in/ like staff, with no authenticator app paired.
DEMO_OPERATOR = "operator@clamshell.example"


@dataclass(frozen=True)
class DemoPatient:
    name: str
    year_of_birth: int
    time_zone: str
    email: str


@dataclass(frozen=True)
class DemoClinic:
    name: str
    domain: str
    time_zone: str
    # The number the pain advice gives (fictional: Ofcom's drama range, the US 555-01xx).
    phone: str
    therapists: tuple[str, str]
    patients: tuple[DemoPatient, ...] = field(default_factory=tuple)


DEMO_CLINICS = (
    DemoClinic(
        name="Riverside Physiotherapy",
        domain="riverside.example",
        time_zone="Europe/London",
        phone="+44 20 7946 0321",
        therapists=("Alex Morgan", "Priya Shah"),
        patients=(
            DemoPatient("Sam Taylor", 1961, "Europe/London", "sam@patients.example"),
            DemoPatient("Jordan Lee", 1985, "Europe/London", "jordan@patients.example"),
            DemoPatient("Maria Garcia", 1974, "Europe/Madrid", "maria@patients.example"),
            DemoPatient("Chris Obi", 1992, "Europe/London", "chris@patients.example"),
        ),
    ),
    DemoClinic(
        name="Hilltop Sports Clinic",
        domain="hilltop.example",
        time_zone="America/New_York",
        phone="+1 212 555 0147",
        therapists=("Dana Brooks", "Kim Nguyen"),
        patients=(
            DemoPatient("Pat Rivera", 1958, "America/New_York", "pat@patients.example"),
            DemoPatient("Robin Chen", 1990, "America/Los_Angeles", "robin@patients.example"),
            DemoPatient("Ali Hassan", 1979, "America/Chicago", "ali@patients.example"),
        ),
    ),
)


def _staff(clinic: Clinic, email: str, name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=name, clinic=clinic, role=role
        )
    return user


def _operator() -> User:
    user = User.objects.filter(email=DEMO_OPERATOR).first()
    if user is None:
        user = User.objects.create_superuser(
            DEMO_OPERATOR, DEMO_PASSWORD, full_name="Demo operator"
        )
    return user


@transaction.atomic
def seed_demo() -> list[Clinic]:
    """Create the demo clinics and operator if missing; running it again changes nothing."""
    _operator()
    clinics = []
    for spec in DEMO_CLINICS:
        clinic, _ = Clinic.objects.get_or_create(
            name=spec.name, defaults={"time_zone": spec.time_zone, "phone": spec.phone}
        )
        _staff(clinic, f"admin@{spec.domain}", f"{spec.name} admin", Role.ADMIN)
        therapists = [
            _staff(clinic, f"{name.split()[0].lower()}@{spec.domain}", name, Role.THERAPIST)
            for name in spec.therapists
        ]
        for index, person in enumerate(spec.patients):
            if not Patient.objects.filter(clinic=clinic, email=person.email).exists():
                patient_create(
                    therapist=therapists[index % 2],
                    full_name=person.name,
                    year_of_birth=person.year_of_birth,
                    email=person.email,
                    time_zone=person.time_zone,
                )
        _seed_programs(clinic, therapists[0])
        clinics.append(clinic)
    return clinics


# --- Programs (only once the exercise library is loaded) --------------------------------------

DEMO_TEMPLATE = "Hip starter: clamshell ladder and side-lying leg raise"
DEMO_PROGRAM = "Hip strengthening"
CLAMSHELL_LADDER = "clamshell-boren-2011"
DEMO_DAYS_AGO = 7


def _demo_items() -> list[ItemSpec] | None:
    """The clamshell ladder at level 1, the side-lying leg raise and the gluteal squeeze held;
    None when the shared library is not loaded yet."""
    ladder = Ladder.objects.filter(clinic__isnull=True, key=CLAMSHELL_LADDER).first()
    exercises = {
        exercise.key: exercise
        for exercise in Exercise.objects.filter(
            clinic__isnull=True, key__in=["side-lying-hip-abduction", "gluteal-squeeze"]
        )
    }
    if ladder is None or len(exercises) < 2:
        return None
    return [
        ItemSpec(ladder=ladder, level=1, sets=2, reps=10, per_side=True),
        ItemSpec(exercise=exercises["side-lying-hip-abduction"], sets=2, reps=10),
        # "5 holds of 5 s": one logged set per hold.
        ItemSpec(exercise=exercises["gluteal-squeeze"], sets=5, hold_seconds=5, per_side=False),
    ]


def _seed_programs(clinic: Clinic, author: User) -> None:
    """One clinic template, and a program started a week ago for each patient without one."""
    items = _demo_items()
    if items is None:
        return
    if not Program.objects.filter(clinic=clinic, is_template=True, name=DEMO_TEMPLATE).exists():
        program_create(actor=author, name=DEMO_TEMPLATE, items=items)
    patients = Patient.objects.filter(clinic=clinic, programs__isnull=True).order_by("pk")
    for index, patient in enumerate(patients):
        program = program_create(
            actor=patient.therapist,
            name=DEMO_PROGRAM,
            patient=patient,
            start_date=patient.local_today() - timedelta(days=DEMO_DAYS_AGO),
            activate=True,
            items=items,
            backdated=True,  # the week of history seeded below
        )
        _seed_history(patient=patient, program=program, index=index)
    _seed_outcomes(clinic)
    _evaluate_seeded(clinic)


def _evaluate_seeded(clinic: Clinic) -> None:
    """Evaluate the seeded week here, in bulk, instead of queueing a task per log: hundreds
    of tasks kept `make run`'s worker busy for minutes while a real patient's set waited.
    The few staff emails it raises go through the outbox as usual."""
    from apps.notifications.dispatch import enqueue_notifications
    from apps.notifications.services import set_logs_evaluate

    logs = SetLog.objects.filter(patient__clinic=clinic, evaluated_at__isnull=True)
    notifications = set_logs_evaluate(log_ids=list(logs.values_list("pk", flat=True)))
    enqueue_notifications(notifications, now=timezone.now())


# --- A week of logged sets, so the dashboard, inbox and reports have something to show ---------


def _seed_history(*, patient: Patient, program: Program, index: int) -> None:
    """Log the past week with a different pattern per patient: patient 0 reaches 20 reps at
    clamshell level 1 yesterday (a progression prompt once the worker runs), patient 1 logs
    pain 7 yesterday (a pain alert), later patients skip more days."""
    today = patient.local_today()
    items = list(program.items.all())
    for days_ago in range(DEMO_DAYS_AGO, 0, -1):
        day = today - timedelta(days=days_ago)
        if index >= 2 and (days_ago + index) % (5 - min(index, 3)) == 0:
            continue  # a missed day
        for item in items:
            _seed_item_day(patient=patient, item=item, day=day, index=index, days_ago=days_ago)


def _seed_item_day(
    *, patient: Patient, item: ProgramItem, day: date, index: int, days_ago: int
) -> None:
    sides = [Side.LEFT, Side.RIGHT] if item.per_side else [Side.BOTH]
    done_sets = item.sets if index % 2 == 0 or days_ago % 2 else max(1, item.sets - 1)
    last_day = days_ago == 1
    reps = 20 if (index == 0 and last_day and item.ladder_id) else item.reps
    pain = 7 if (index == 1 and last_day) else 2 + (days_ago + index) % 3
    for set_number in range(1, done_sets + 1):
        for side in sides:
            key = f"demo:{patient.public_id}:{item.track}:{day}:{set_number}:{side}"
            set_log_record(
                patient=patient,
                item=item,
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, key),
                performed_on=day,
                side=side,
                pain=pain,
                reps=reps,
                hold_seconds=item.hold_seconds,
                set_number=set_number,
                evaluate=False,  # evaluated in bulk by _evaluate_seeded
            )


# --- Outcome measures, so the progress page's trends and the clinic's outcomes show something -

# Weekly, so that after the seeded week the start's questionnaires are answered and the next
# ones are due today (a patient sees them on Today).
DEMO_MEASURES = (Code.NPRS, Code.PSFS)
DEMO_MEASURE_INTERVAL = 7
DEMO_ACTIVITIES = ("Climbing stairs", "Walking 2 km", "Getting out of a car")
# Per instrument: the answers at the start, and (first patient only) today's, improved by
# more than each measure's meaningful change so the trend has a verdict to show.
DEMO_ANSWERS: dict[str, tuple[dict[str, int], dict[str, int]]] = {
    Code.NPRS: ({"pain": 6}, {"pain": 3}),
    Code.PSFS: (
        {"activity_1": 3, "activity_2": 4, "activity_3": 2},
        {"activity_1": 6, "activity_2": 7, "activity_3": 5},
    ),
}


def _seed_outcomes(clinic: Clinic) -> None:
    """NPRS and PSFS weekly on each demo program that has no measures yet, through the same
    services the therapist's and the patient's pages use. Every patient answered the start's;
    the clinic's first patient answered today's too, so one trend has two points."""
    programs = (
        Program.objects.filter(
            clinic=clinic, is_template=False, is_active=True, name=DEMO_PROGRAM,
            patient__isnull=False,
        )
        .exclude(pk__in=MeasurePlan.objects.values("program_id"))
        .select_related("patient__therapist", "patient__user")
        .order_by("patient_id")
    )  # fmt: skip
    patients = Patient.objects.filter(clinic=clinic).order_by("pk")
    first_id = patients.values_list("pk", flat=True).first()
    for program in programs:
        patient = program.patient
        assert patient is not None  # filtered above
        assert program.start_date is not None  # an active program has started
        measures_set(
            user=patient.therapist, program=program, instruments=list(DEMO_MEASURES),
            interval_days=DEMO_MEASURE_INTERVAL,
        )  # fmt: skip
        days = [program.start_date]
        if patient.pk == first_id:
            days.append(patient.local_today())
        for questionnaire in Questionnaire.objects.filter(
            program=program, status=Status.OPEN, due_on__in=days
        ).order_by("due_on", "instrument"):
            later = int(questionnaire.due_on != program.start_date)
            key = f"demo:{patient.public_id}:{questionnaire.instrument}:{questionnaire.due_on}"
            questionnaire_submit(
                patient=patient,
                questionnaire=questionnaire,
                submission_id=uuid.uuid5(uuid.NAMESPACE_URL, key),
                answers=DEMO_ANSWERS[questionnaire.instrument][later],
                activities=(
                    list(DEMO_ACTIVITIES)
                    if questionnaire.instrument == Code.PSFS and not later
                    else None
                ),
            )
            if not later:
                # Answered on the day it was due, as the seeded week's sets were logged on
                # theirs: the trend charts place each answer at its date, and two answers
                # stamped with the seeding time would sit on top of each other.
                answered = datetime.combine(questionnaire.due_on, time(9), tzinfo=patient.tz)
                Questionnaire.objects.filter(pk=questionnaire.pk).update(
                    submitted_at=answered, started_at=answered
                )
