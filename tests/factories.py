"""factory_boy factories shared by the whole suite (no JSON fixtures)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.clinics.models import Clinic, Role, User
from apps.patients.models import Patient

STAFF_PASSWORD = "correct horse battery staple"


class ClinicFactory(DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@clinic.example")
    full_name = factory.Sequence(lambda n: f"Therapist {n}")
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.THERAPIST
    password = factory.django.Password(STAFF_PASSWORD)


class AdminFactory(StaffFactory):
    role = Role.ADMIN


class PatientUserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = None
    role = Role.PATIENT
    password = factory.django.Password(None)


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    therapist = factory.SubFactory(StaffFactory)
    clinic = factory.SelfAttribute("therapist.clinic")
    user = factory.SubFactory(PatientUserFactory, clinic=factory.SelfAttribute("..clinic"))
    full_name = factory.Sequence(lambda n: f"Patient {n}")
    email = factory.Sequence(lambda n: f"patient{n}@mail.example")
    year_of_birth = 1970
    time_zone = "Europe/London"


# --- Library and programs -------------------------------------------------------------------
import datetime as _dt  # noqa: E402
from typing import Any  # noqa: E402

from django.utils import timezone  # noqa: E402

from apps.exercises.models import Exercise, Ladder, LadderLevel  # noqa: E402
from apps.programs.models import Program, ProgramItem  # noqa: E402


class ExerciseFactory(DjangoModelFactory):
    class Meta:
        model = Exercise

    key = factory.Sequence(lambda n: f"exercise-{n}")
    name = factory.Sequence(lambda n: f"Exercise {n}")
    position = "side_lying"
    movement = "lift the top knee"
    default_sets = 2
    default_reps = 10
    per_side = True


class LadderFactory(DjangoModelFactory):
    """A ladder with ``levels`` levels (default 4), each a new exercise."""

    key = factory.Sequence(lambda n: f"ladder-{n}")
    name = factory.Sequence(lambda n: f"Ladder {n}")
    advance_at_reps = 20

    class Meta:
        model = Ladder
        skip_postgeneration_save = True

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if not create:
            return
        for level in range(1, (extracted or 4) + 1):
            LadderLevel.objects.create(
                ladder=self, level=level, exercise=ExerciseFactory(name=f"{self.name} L{level}")
            )


class KeepsDailyTotals:
    """For factories of programs and their items: recompute the patient's daily totals after
    the row is created, as the program services do in their transaction."""

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from apps.programs.daily_totals import daily_totals_refresh_patient

        row = super()._create(model_class, *args, **kwargs)
        program = row if isinstance(row, Program) else row.program
        daily_totals_refresh_patient(patient_id=program.patient_id)
        return row


class KeepsDayTotals:
    """For factories of set logs: recompute the day's totals, as the logging services do."""

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from apps.programs.daily_totals import daily_totals_refresh_days

        log = super()._create(model_class, *args, **kwargs)
        daily_totals_refresh_days(patient_id=log.patient_id, days=[log.performed_on], grown=True)
        return log


class ProgramFactory(KeepsDailyTotals, DjangoModelFactory):
    """A patient's program, scheduled every day from 30 days ago."""

    class Meta:
        model = Program

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    created_by = factory.SelfAttribute("patient.therapist")
    name = "Hip program"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - _dt.timedelta(days=30))


class TemplateProgramFactory(ProgramFactory):
    patient = None
    clinic = factory.SubFactory(ClinicFactory)
    created_by = factory.SubFactory(StaffFactory, clinic=factory.SelfAttribute("..clinic"))
    is_template = True
    start_date = None


class ExerciseItemFactory(KeepsDailyTotals, DjangoModelFactory):
    class Meta:
        model = ProgramItem

    program = factory.SubFactory(ProgramFactory)
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 2
    reps = 10
    per_side = True


class LadderItemFactory(KeepsDailyTotals, DjangoModelFactory):
    class Meta:
        model = ProgramItem

    program = factory.SubFactory(ProgramFactory)
    ladder = factory.SubFactory(LadderFactory)
    current_level = 1
    sets = 2
    reps = 10
    per_side = True
