"""`make run` prints the demo's sign-ins before the worker and beat start, whose start-up
output (banners, the demo's staff emails) pushes them out of sight: the command also keeps
them in a file under var/ and says where."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from apps.clinics.models import User
from apps.devdata.demo import DEMO_OPERATOR, DEMO_PASSWORD
from apps.patients.auth import personal_link_url
from apps.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """A var/ of the test's own: the developer's file keeps the links of their own database."""
    settings.VAR_DIR = tmp_path
    return tmp_path


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
    # Outside the project's folder (the test's var/), the path is shown whole.
    assert f"These sign-ins are also in {settings.VAR_DIR / 'demo-sign-ins.txt'}." in printed


def test_the_demo_has_an_operator_who_signs_in_to_django_admin(client):
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # again: still one

    operator = User.objects.get(email=DEMO_OPERATOR)
    assert operator.is_superuser
    assert operator.is_staff
    assert operator.clinic is None
    assert f"Operator      {DEMO_OPERATOR}: Django admin at " in out.getvalue()
    assert DEMO_OPERATOR in (settings.VAR_DIR / "demo-sign-ins.txt").read_text()
    # As the README says: the staff sign-in page, the demo password, then Django admin.
    response = client.post(
        "/sign-in/", {"username": DEMO_OPERATOR, "password": DEMO_PASSWORD, "next": ""}
    )
    assert response["Location"] == "/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/ops/admin/"
    assert client.get("/ops/admin/clinics/clinic/").status_code == 200


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refuses_to_run_in_production(var_dir):
    # The demo's accounts share a published password and its patients' links would be
    # written to a file: neither belongs on a production database or disk.
    with pytest.raises(CommandError, match="seed_demo is for development"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not User.objects.exists()
    assert not (var_dir / "demo-sign-ins.txt").exists()


def test_the_sign_ins_file_is_readable_by_its_owner_only(var_dir):
    # It holds working patient links and the demo password.
    call_command("seed_demo", stdout=io.StringIO())

    assert (var_dir / "demo-sign-ins.txt").stat().st_mode & 0o777 == 0o600
