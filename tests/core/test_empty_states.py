"""A new clinic's empty pages say what to do first, with the button to do it (issue 20,
item 7)."""

import pytest

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "words", "button"),
    [
        ("/patients/", "You have no patients yet.", 'href="/patients/new/"'),
        ("/dashboard/", "You have no patients yet.", 'href="/patients/new/"'),
        ("/programs/", "Your clinic has no templates yet.", 'href="/programs/new/"'),
        ("/programs/", "No programs for your patients yet.", "New program</a>"),
    ],
)
def test_a_new_therapist_is_told_what_to_do_first(therapist_a, url, words, button):
    body = signed_in(therapist_a).get(url).content.decode()

    assert words in body
    assert button in body
    assert "<table" not in body.split("<main", 1)[1].split("Starter programs", 1)[0]


def test_an_empty_report_says_what_to_do(admin_a):
    body = (
        signed_in(admin_a)
        .get("/reports/adherence/", {"start": "2026-01-01", "end": "2026-01-31"})
        .content.decode()
    )

    assert "Choose a longer period above, or assign a program to a patient first" in body
    assert 'href="/programs/"' in body
