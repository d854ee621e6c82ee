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
