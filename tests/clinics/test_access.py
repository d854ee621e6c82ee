"""The access helper: an object outside the user's scoped queryset is a 404, whoever asks."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from apps.clinics.access import get_for_staff
from apps.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_it_returns_an_object_of_the_staff_members_scope(therapist_a, patient_a):
    scope = Patient.objects.editable_by(therapist_a)

    assert get_for_staff(therapist_a, scope, patient_a.public_id) == patient_a


def test_another_clinics_object_is_a_404(therapist_b, patient_a):
    with pytest.raises(Http404):
        get_for_staff(therapist_b, Patient.objects.editable_by(therapist_b), patient_a.public_id)


def test_an_unknown_id_is_a_404(therapist_a):
    with pytest.raises(Http404):
        get_for_staff(therapist_a, Patient.objects.editable_by(therapist_a), uuid.uuid4())


def test_a_patient_is_a_404_even_for_an_object_in_the_queryset(patient_a):
    with pytest.raises(Http404):
        get_for_staff(patient_a.user, Patient.objects.all(), patient_a.public_id)
