"""The evidence form names studies by public UUID, never by sequential primary key."""

import pytest
from django.urls import reverse

from apps.exercises.models import Exercise, Study
from tests.conftest import signed_in
from tests.security.test_forms_name_public_ids import assert_all_uuids, option_values

pytestmark = pytest.mark.django_db


def test_the_evidence_form_offers_studies_by_public_id(library, therapist_a):
    clam = Exercise.objects.get(key="clam-1")
    url = reverse("exercises:evidence-add", args=[clam.public_id])

    html = signed_in(therapist_a).get(url).content.decode()

    assert_all_uuids(option_values(html, "study"))


def test_a_study_named_by_sequential_id_is_refused(library, therapist_a):
    clam = Exercise.objects.get(key="clam-1")
    url = reverse("exercises:evidence-add", args=[clam.public_id])
    data = {"study": Study.objects.get(key="boren-2011").pk, "muscle": "gluteus_medius"}

    response = signed_in(therapist_a).post(url, data | {"mvic_percent": "40", "source": "lab"})

    assert response.status_code == 400


def test_every_study_has_its_own_public_id(library):
    ids = list(Study.objects.values_list("public_id", flat=True))

    assert len(ids) == len(set(ids)) > 1
