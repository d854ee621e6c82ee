"""The builder's forms that htmx does not send (schedule, assign, name and notes, save as a
template) are posted to the builder page itself: a refusal is the page with its message at an
address that shows the builder again when reloaded, bookmarked or opened from the history,
never an empty 405."""

import pytest

from apps.programs.models import Program
from tests.conftest import signed_in
from tests.drawn_form import drawn_forms, form_saying
from tests.factories import (
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db


def _builder(program: Program) -> str:
    return f"/programs/{program.public_id}/"


def test_every_form_without_htmx_is_posted_to_the_builder_itself(therapist_a, patient_a):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    ExerciseItemFactory(program=draft)

    page = signed_in(therapist_a).get(_builder(draft)).text

    plain = {f.action for f in drawn_forms(page) if f.method == "post" and not f.hx_post}
    assert plain - {"/sign-out/"} == {_builder(draft)}


# (the form's button, what makes it refused, the message the refusal shows)
REFUSED = [
    ("Save schedule", {"weekdays": []}, "Choose at least one weekday."),
    ("Save name and notes", {"name": ""}, "This field is required."),
    ("Save as template", {"name": ""}, "This field is required."),
    ("Assign", {"start_date": "2020-01-01"}, "before the patient's today"),
]


@pytest.mark.parametrize(("button", "changed", "message"), REFUSED)
def test_a_refused_form_stays_at_the_builders_address(
    therapist_a, patient_a, button, changed, message
):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    ExerciseItemFactory(program=draft)
    client = signed_in(therapist_a)
    form = form_saying(client.get(_builder(draft)).text, button)
    before = Program.objects.filter(pk=draft.pk).values().get()

    refused = client.post(form.action, form.values | changed)
    again = client.get(form.action)

    assert refused.status_code == 400, refused.content[:300]
    assert message in refused.text.replace("&#x27;", "'")
    assert again.status_code == 200
    assert form_saying(again.text, button).action == form.action
    assert Program.objects.filter(pk=draft.pk).values().get() == before
    assert Program.objects.count() == 1


def test_a_refused_template_assignment_stays_at_the_builders_address(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    client = signed_in(therapist_a)
    form = form_saying(client.get(_builder(template)).text, "Assign")

    refused = client.post(form.action, form.values | {"patient": ""})

    assert refused.status_code == 400
    assert client.get(form.action).status_code == 200
    assert Program.objects.count() == 1


@pytest.mark.parametrize("save", ["schedule", "details", "template", "assign"])
def test_a_form_posted_to_another_clinics_or_a_colleagues_program_is_a_404(
    therapist_a, patient_b, save
):
    colleagues = ProgramFactory(
        patient=PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    )
    theirs = TemplateProgramFactory(clinic=patient_b.clinic)
    client = signed_in(therapist_a)
    body = {"save": save, "name": "Taken", "weekdays": ["1"], "patient": ""}

    for program in (ProgramFactory(patient=patient_b), theirs, colleagues):
        assert client.post(_builder(program), body).status_code == 404
    assert not Program.objects.filter(name="Taken").exists()


def test_a_patient_posting_to_the_builder_gets_a_403(patient_a):
    program = ProgramFactory(patient=patient_a)
    client = signed_in(patient_a.user)

    for save in ("schedule", "details", "template", "assign"):
        assert client.post(_builder(program), {"save": save, "name": "x"}).status_code == 403
    assert Program.objects.count() == 1


def test_an_unknown_save_is_a_400_that_changes_nothing(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    client = signed_in(therapist_a)
    before = Program.objects.filter(pk=program.pk).values().get()

    for body in ({"save": "everything", "name": "x"}, {"name": "x"}):
        response = client.post(_builder(program), body)

        assert response.status_code == 400
        assert "The page could not tell what to save" in response.text
    assert Program.objects.filter(pk=program.pk).values().get() == before
