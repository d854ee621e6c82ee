"""The access helper: an object outside the user's scoped queryset is a 404; a user whose role
may not use staff pages is a 403 before any lookup."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.clinics.access import get_for_admin, get_for_patient, get_for_staff
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


def test_a_patient_is_a_403_even_for_an_object_in_the_queryset(patient_a):
    with pytest.raises(PermissionDenied):
        get_for_staff(patient_a.user, Patient.objects.all(), patient_a.public_id)


def test_a_therapist_is_a_403_on_what_only_an_admin_may_use(therapist_a, patient_a):
    with pytest.raises(PermissionDenied):
        get_for_admin(therapist_a, Patient.objects.editable_by(therapist_a), patient_a.public_id)


def test_staff_are_a_403_on_a_patients_own_objects(therapist_a, patient_a):
    with pytest.raises(PermissionDenied):
        get_for_patient(therapist_a, Patient.objects.all(), patient_a.public_id)


def test_a_patient_reaches_only_their_own_objects(patient_a, patient_b):
    mine = Patient.objects.filter(pk=patient_a.pk)

    assert get_for_patient(patient_a.user, mine, patient_a.public_id) == patient_a
    with pytest.raises(Http404):
        get_for_patient(patient_a.user, mine, patient_b.public_id)


def test_a_malformed_id_is_a_404_not_a_500(therapist_a):
    with pytest.raises(Http404):
        get_for_staff(therapist_a, Patient.objects.editable_by(therapist_a), "not-a-uuid")
