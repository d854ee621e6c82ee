import pytest
from django.db import connection

from apps.patients import auth
from tests.portal.link_helpers import tampered

pytestmark = pytest.mark.django_db


def open_link(client, patient, year):
    return client.post(auth.personal_link_path(patient), {"year_of_birth": year})


def test_opening_the_link_asks_for_the_year_of_birth_without_signing_in(client, patient_a):
    response = client.get(auth.personal_link_path(patient_a))

    assert response.status_code == 200
    assert b"year of birth" in response.content
    assert client.get("/today/").status_code == 302


def test_the_right_year_signs_in_for_90_days(client, patient_a):
    response = open_link(client, patient_a, 1961)

    assert response.status_code == 302
    assert response["Location"] == "/today/"
    assert client.get("/today/").status_code == 200
    assert client.session.get_expiry_age() == 90 * 24 * 3600


def test_a_wrong_year_is_refused(client, patient_a):
    response = open_link(client, patient_a, 1962)

    assert response.status_code == 400
    assert b"does not match" in response.content
    assert client.get("/today/").status_code == 302


def test_five_wrong_years_lock_the_link(client, patient_a):
    for _ in range(5):
        open_link(client, patient_a, 1999)

    response = open_link(client, patient_a, 1961)

    assert response.status_code == 403
    assert b"locked" in response.content
    assert client.get("/today/").status_code == 302


def test_a_tampered_token_is_a_404(client, patient_a):
    path = auth.personal_link_path(patient_a)

    assert client.get(tampered(path)).status_code == 404


def test_a_revoked_link_is_refused_and_ends_open_sessions(client, patient_a):
    open_link(client, patient_a, 1961)
    path = auth.personal_link_path(patient_a)

    auth.personal_link_revoke(patient=patient_a)

    assert client.get("/today/").status_code == 302
    assert client.get(path).status_code == 404


def test_renewing_the_link_replaces_the_old_one(client, patient_a):
    old_path = auth.personal_link_path(patient_a)
    open_link(client, patient_a, 1961)

    auth.personal_link_renew(patient=patient_a)

    assert client.get("/today/").status_code == 302
    assert client.get(old_path).status_code == 404
    assert open_link(client, patient_a, 1961).status_code == 302


def test_renewing_unlocks_a_locked_link(client, patient_a):
    for _ in range(5):
        open_link(client, patient_a, 1999)

    auth.personal_link_renew(patient=patient_a)

    assert open_link(client, patient_a, 1961).status_code == 302


def test_the_database_never_holds_the_link_token(patient_a):
    token = auth.personal_link_token(patient_a)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patients_patient")
        rows = cursor.fetchall()
    assert token not in repr(rows)


def test_attempts_from_one_address_are_rate_limited(client, therapist_a):
    from tests.factories import PatientFactory

    patients = PatientFactory.create_batch(6, therapist=therapist_a)
    statuses = [open_link(client, patients[i % 6], 1900).status_code for i in range(21)]

    assert statuses[-1] == 429


@pytest.mark.parametrize(
    "path", ["/today/", "/history/", "/reminders/", "/today/morning/", "/today/log/"]
)
def test_a_signed_out_patient_is_sent_to_the_patients_way_back_in_not_the_staff_sign_in(
    client, path
):
    response = client.get(path)

    # A patient whose link was renewed or whose session ran out asks for a one-time link here
    # (the page also says to open the personal link); the staff page has no use for them.
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/link/?next={path}"
    page = client.get(response["Location"]).content.decode()
    assert "personal link" in page


def test_each_wrong_year_says_how_many_tries_are_left(client, patient_a):
    first = open_link(client, patient_a, 1999).content.decode()
    for _ in range(2):
        open_link(client, patient_a, 1999)
    fourth = open_link(client, patient_a, 1999).content.decode()

    assert "You have 4 tries left" in first
    assert "You have 1 try left" in fourth
    # Coming back later, the page says it before the next try.
    assert "You have 1 try left" in client.get(auth.personal_link_path(patient_a)).text


def test_a_wrong_year_says_why_before_how_many_tries_are_left(client, patient_a):
    page = open_link(client, patient_a, 1999).text

    # The tries left were the field's help, drawn (and read, first in its aria-describedby)
    # above the field, so the page said "4 tries left" before saying what was wrong.
    reason = page.index("That year does not match our records.")
    assert reason < page.index("You have 4 tries left before this link locks.")
    assert page.count("tries left") == 1


def test_a_year_before_1900_or_after_this_year_is_refused_without_using_a_try(client, patient_a):
    from django.utils import timezone

    answers = [-1, 1899, timezone.now().year + 1, 2100, "abc"]
    responses = [open_link(client, patient_a, year) for year in answers]

    for response in responses:
        assert response.status_code == 400
        assert "Give a year between 1900 and this year." in response.text
        assert "does not match" not in response.text
        assert "tries left" not in response.text
    patient_a.refresh_from_db()
    assert patient_a.link_failed_attempts == 0
    assert open_link(client, patient_a, 1961).status_code == 302
