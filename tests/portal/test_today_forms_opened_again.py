"""Today's forms sent without JavaScript (logging a set, the next-morning question) post to
addresses of their own, which answer a refusal with Today and its message. Opened again with
a GET (reloaded, from the history, a bookmark) those addresses lead back to Today, never to an
empty 405; staff get a 403 and anyone signed out the patient's way back in, as on Today."""

from datetime import timedelta

import pytest

from apps.programs.models import MorningCheck, SetLog
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def _opened_again(client, action: str) -> None:
    again = client.get(action)

    assert again.status_code == 302
    assert again["Location"] == "/today/"
    assert client.get(again["Location"]).status_code == 200


def test_a_refused_set_opened_again_leads_to_today(patient_a):
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), per_side=False)
    client = signed_in(patient_a.user)
    form = form_saying(client.get("/today/").text, "Pain during this set")

    refused = client.post(form.action, form.values | {"reps": "10", "pain": ""})

    assert refused.status_code == 400
    assert "pain" in refused.text.lower()
    _opened_again(client, form.action)
    assert not SetLog.objects.exists()


def test_a_refused_morning_answer_opened_again_leads_to_today(patient_a):
    today = patient_a.local_today()
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a, start_date=today - timedelta(7))
    )
    SetLogFactory(item=item, side="left", performed_on=today - timedelta(days=1))
    client = signed_in(patient_a.user)
    form = form_saying(client.get("/today/").text, "Save my answer")

    refused = client.post(form.action, form.values | {"hip": "same"})

    assert refused.status_code == 400
    assert "Choose how its stiffness is this morning" in refused.text
    _opened_again(client, form.action)
    assert not MorningCheck.objects.exists()


@pytest.mark.parametrize("path", ["/today/log/", "/today/morning/"])
def test_opening_todays_form_addresses_is_a_403_for_staff_and_sign_in_for_anyone(
    client, therapist_a, path
):
    assert signed_in(therapist_a).get(path).status_code == 403
    assert client.get(path)["Location"] == f"/sign-in/link/?next={path}"
