"""Two invitations of one address at the same moment (a double click on Add): one colleague is
added, the other request is refused as a colleague already on the staff, never an error page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.clinics.invitations import staff_invite
from apps.clinics.models import Role, User
from tests.programs.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_second_of_two_invitations_at_once_is_refused_as_taken(require_postgres, admin_a):
    def invite() -> None:
        staff_invite(admin=admin_a, email="robin@x.example", full_name="Robin", role=Role.THERAPIST)

    with pytest.raises(ValidationError, match="Robin is already on your staff, invited"):
        race(invite, invite)

    assert User.objects.filter(email="robin@x.example").count() == 1
