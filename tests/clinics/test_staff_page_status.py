"""The staff page's Status column says whether each active colleague signs in with two-factor,
not only through the presence of a "Reset two-factor" button."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest

from apps.clinics.models import User
from tests.clinics.two_factor_helpers import paired
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _status(page: str, name: str) -> str:
    row = page.split(f'<th scope="row">{name}', 1)[1].split("</tr>", 1)[0]
    cell = row.split("<td>")[3].split("</td>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_status_says_whether_two_factor_sign_in_is_on(admin_a: User, clinic_a: Any) -> None:
    paired(cast(User, StaffFactory(clinic=clinic_a, full_name="Dana Hill")))
    StaffFactory(clinic=clinic_a, full_name="Sam Lee")
    StaffFactory(clinic=clinic_a, full_name="Kim Ray", is_active=False)

    page = signed_in(admin_a).get("/clinic/staff/").content.decode()

    assert _status(page, "Dana Hill") == "Active Two-factor sign-in on"
    assert _status(page, "Sam Lee") == "Active Two-factor sign-in off"
    assert _status(page, "Kim Ray") == "Deactivated"
