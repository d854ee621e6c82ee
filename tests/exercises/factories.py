"""Factories for a clinic's own library rows (the shared library comes from load_library)."""

import factory
from factory.django import DjangoModelFactory

from apps.exercises.models import Confidence, EvidenceValue, Study
from tests.factories import ExerciseFactory


class ClinicExerciseFactory(ExerciseFactory):
    clinic = factory.SubFactory("tests.factories.ClinicFactory")


class ClinicStudyFactory(DjangoModelFactory):
    class Meta:
        model = Study

    key = factory.Sequence(lambda n: f"clinic-study-{n}")
    clinic = factory.SubFactory("tests.factories.ClinicFactory")
    short_name = factory.Sequence(lambda n: f"Clinic study {n}")
    citation = "Our own measurements."


class ClinicEvidenceFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceValue

    exercise = factory.SubFactory(ClinicExerciseFactory)
    clinic = factory.SelfAttribute("exercise.clinic")
    study = factory.SubFactory(ClinicStudyFactory, clinic=factory.SelfAttribute("..clinic"))
    muscle = "gluteus_medius"
    mvic_percent = 50
    confidence = Confidence.CLINIC
    source = "Clinic measurements, 2025"
