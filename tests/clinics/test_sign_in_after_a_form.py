"""A form sent once the session has ended (signed out in another tab, the 12 hours over) goes
to the sign-in page, and from there back to the page the form was on. Its own address answers
only POST (an export, a deactivation): sent there after signing in, the browser showed a bare
405."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.django_db

REPORT = "/reports/adherence/?start=2026-11-01&end=2026-11-30"


def next_of(response):
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/sign-in/"
    return parse_qs(location.query).get("next")


def test_a_form_sent_signed_out_comes_back_to_its_page_after_signing_in(client, admin_a):
    sent = client.post(
        "/reports/adherence/",
        {"start": "2026-11-01", "end": "2026-11-30", "format": "csv"},
        HTTP_REFERER=f"http://testserver{REPORT}",
    )

    assert next_of(sent) == [REPORT]
    signed_in = client.post(
        "/sign-in/", {"username": admin_a.email, "password": STAFF_PASSWORD, "next": REPORT}
    )
    assert signed_in["Location"] == REPORT
    assert client.get(REPORT).status_code == 200


def test_without_a_page_of_this_site_to_go_back_to_there_is_no_next(client):
    from_elsewhere = client.post(
        "/clinic/staff/", {"full_name": "X"}, HTTP_REFERER="https://elsewhere.example/form/"
    )
    no_referer = client.post("/reports/adherence/", {})

    assert next_of(from_elsewhere) is None
    assert next_of(no_referer) is None


def test_a_page_opened_signed_out_still_comes_back_to_itself(client):
    assert next_of(client.get(REPORT)) == [REPORT]
