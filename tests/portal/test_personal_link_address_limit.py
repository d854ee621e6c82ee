"""The per-address limit on personal-link sign-ins counts failures only.

Patients share addresses (a clinic's Wi-Fi, a family, a carrier's CGNAT): right answers must
never use up the address's budget. Wrong years and links that do not work do."""

import pytest
from django.test import Client

from apps.patients import auth
from apps.portal.views.signin import LINK_FAILURES_PER_IP_PER_HOUR
from tests.factories import PatientFactory
from tests.portal.link_helpers import tampered

pytestmark = pytest.mark.django_db


def sign_in(patient, year):
    # A new client each time: another phone behind the same address.
    return Client().post(auth.personal_link_path(patient), {"year_of_birth": year})


def test_right_answers_from_one_address_are_never_limited(therapist_a):
    patients = PatientFactory.create_batch(5, therapist=therapist_a, year_of_birth=1970)

    statuses = {sign_in(patients[n % 5], 1970).status_code for n in range(30)}

    assert statuses == {302}


def test_a_few_wrong_years_do_not_stop_the_next_patient(therapist_a):
    patients = PatientFactory.create_batch(4, therapist=therapist_a, year_of_birth=1970)
    for n in range(LINK_FAILURES_PER_IP_PER_HOUR - 1):
        sign_in(patients[n % 4], 1999)
    other = PatientFactory(therapist=therapist_a, year_of_birth=1980)

    assert sign_in(other, 1980).status_code == 302


def test_once_the_failures_reach_the_limit_even_a_right_answer_waits(therapist_a):
    patients = PatientFactory.create_batch(5, therapist=therapist_a, year_of_birth=1970)
    for n in range(LINK_FAILURES_PER_IP_PER_HOUR):
        sign_in(patients[n % 5], 1999)
    other = PatientFactory(therapist=therapist_a, year_of_birth=1980)

    response = sign_in(other, 1980)

    assert response.status_code == 429
    assert "Retry-After" in response
    # Refused before it was weighed: the link's own tries are untouched.
    other.refresh_from_db()
    assert other.link_failed_attempts == 0


def test_links_that_do_not_work_count_as_failures(therapist_a):
    patient = PatientFactory(therapist=therapist_a, year_of_birth=1970)
    guess = tampered(auth.personal_link_path(patient))
    for n in range(LINK_FAILURES_PER_IP_PER_HOUR):
        method = Client().post if n % 2 else Client().get
        assert method(guess, {"year_of_birth": 1970}).status_code == 404

    # Over the limit every link answers alike, so it cannot tell a real one from a guess.
    assert Client().get(guess).status_code == 429
    assert Client().get(auth.personal_link_path(patient)).status_code == 429
    assert sign_in(patient, 1970).status_code == 429


def test_a_year_refused_as_a_typo_is_not_a_failure(therapist_a):
    patient = PatientFactory(therapist=therapist_a, year_of_birth=1970)
    for _ in range(LINK_FAILURES_PER_IP_PER_HOUR + 5):
        assert sign_in(patient, "abc").status_code == 400

    assert sign_in(patient, 1970).status_code == 302
