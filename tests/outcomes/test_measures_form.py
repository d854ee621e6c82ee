"""The measures form on a patient's outcome measures page: LEFS and HOOS-12 cannot be ticked
before the clinic has loaded their licensed wording, and each measure is named in full."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from apps.clinics.models import User
from apps.outcomes.models import ClinicWording, MeasurePlan
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import AdminFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program() -> Program:
    patient = cast(Patient, PatientFactory())
    return cast(Program, ProgramFactory(patient=patient, start_date=patient.local_today()))


def _form(user: Any, program: Program) -> str:
    client = Client()
    client.force_login(user)
    assert program.patient is not None
    page = client.get(f"/patients/{program.patient.public_id}/outcomes/")
    assert page.status_code == 200
    # The program's measures form: posted to the page itself, naming its program.
    forms = page.text.split('class="measures-form"')[1:]
    (form,) = [f for f in forms if f'name="program" value="{program.public_id}"' in f]
    return form.split("</form>")[0]


def _box(form: str, code: str) -> str:
    """The check box of measure ``code``, its tag's attributes."""
    (tag,) = [tag for tag in form.split("<input")[1:] if f'value="{code}"' in tag.split(">")[0]]
    return tag.split(">", 1)[0]


def _loaded(program: Program, code: str) -> None:
    ClinicWording.objects.create(
        clinic=program.clinic, instrument=code, items={}, options=[],
        loaded_by=program.created_by,
    )  # fmt: skip


def test_licensed_measures_without_wording_are_offered_disabled_with_the_reason(
    program: Program,
) -> None:
    form = _form(program.created_by, program)

    for code in ("lefs", "hoos12"):
        box = _box(form, code)
        assert " disabled" in box, code
        note = box.split('aria-describedby="', 1)[1].split('"', 1)[0]
        assert f'id="{note}"' in form
    for code in ("nprs", "psfs", "groc"):
        assert " disabled" not in _box(form, code), code
    assert (
        "LEFS and HOOS-12 cannot be ticked until a clinic admin has loaded the clinic's "
        "licensed wording. Ask a clinic admin to load it."
    ) in " ".join(form.split())
    assert 'href="/outcomes/instruments/"' not in form, "a therapist cannot open that page"


def test_a_clinic_admin_is_given_the_link_to_load_the_wording(program: Program) -> None:
    admin = cast(User, AdminFactory(clinic=program.clinic))

    form = _form(admin, program)

    assert 'href="/outcomes/instruments/"' in form
    assert "Load the wording" in form


def test_once_lefs_wording_is_loaded_lefs_can_be_ticked_and_hoos_12_still_cannot(
    program: Program,
) -> None:
    _loaded(program, "lefs")

    form = _form(program.created_by, program)

    assert " disabled" not in _box(form, "lefs")
    assert " disabled" in _box(form, "hoos12")
    assert "HOOS-12 cannot be ticked until" in " ".join(form.split())


def test_a_measure_already_scheduled_stays_tickable_so_saving_never_drops_it_unseen(
    program: Program,
) -> None:
    # Scheduled while its wording was loaded; a disabled box would not be sent, and saving
    # the form would end the measure without a word.
    MeasurePlan.objects.create(program=program, instrument="lefs", interval_days=14)

    form = _form(program.created_by, program)

    assert " disabled" not in _box(form, "lefs")
    assert "checked" in _box(form, "lefs")


def test_each_measure_is_named_in_full_once(program: Program) -> None:
    form = " ".join(_form(program.created_by, program).split())

    assert "HOOS-12: HOOS-12" not in form
    assert "HOOS-12: Hip disability and Osteoarthritis Outcome Score, 12-item short form" in form
    assert "LEFS: Lower Extremity Functional Scale" in form
