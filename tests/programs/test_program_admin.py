import pytest

from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db


def test_operators_see_programs_read_only():
    item = ExerciseItemFactory()
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    client = signed_in(operator)

    page = client.get(f"/ops/admin/programs/program/{item.program.pk}/change/")
    listing = client.get("/ops/admin/programs/program/")

    assert page.status_code == listing.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.get("/ops/admin/programs/program/add/").status_code == 403
