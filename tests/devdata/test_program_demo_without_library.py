"""The demo seeded without the exercise library (``seed_demo`` alone): its clinics and
patients, and no programs."""

import pytest

from apps.devdata.demo import seed_demo
from apps.patients.models import Patient
from apps.programs.models import Program

pytestmark = pytest.mark.django_db


def test_without_the_library_the_demo_has_patients_but_no_programs():
    seed_demo()

    assert Patient.objects.count() == 7
    assert not Program.objects.exists()


def test_each_demo_clinic_has_a_phone_number_for_its_patients_pain_advice():
    clinics = seed_demo()

    assert all(clinic.phone for clinic in clinics)
