"""`make run` prints the demo's sign-ins before the worker and beat start, whose start-up
output (banners, the demo's staff emails) pushes them out of sight: the command also keeps
them in a file under var/ and says where."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.patients.auth import personal_link_url
from apps.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_the_sign_ins_printed_are_kept_in_var_and_the_output_says_where():
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    kept = (settings.VAR_DIR / "demo-sign-ins.txt").read_text()
    printed = out.getvalue()
    assert "admin@riverside.example" in kept
    assert "alex@riverside.example" in kept
    patient = Patient.objects.get(full_name="Maria Garcia")
    assert f"Maria Garcia (year of birth {patient.year_of_birth}): " in kept
    assert personal_link_url(patient) in kept
    assert kept.strip() in printed
    shown = (settings.VAR_DIR / "demo-sign-ins.txt").relative_to(settings.BASE_DIR)
    assert f"These sign-ins are also in {shown}." in printed
