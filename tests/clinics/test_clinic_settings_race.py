"""Two saves of a clinic's settings at the same moment are taken one after the other: the
second is checked with the first's change and audited from the value it really replaced."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.clinics.models import Clinic
from apps.clinics.services import clinic_settings_update
from tests.programs.races import race


@pytest.mark.django_db(transaction=True)
def test_two_admins_changing_the_alert_level_at_once_are_audited_in_order(
    require_postgres, admin_a
):
    # Both pages were drawn with the alert level at 7.
    first_page, second_page = (Clinic.objects.get(pk=admin_a.clinic_id) for _ in range(2))

    race(
        lambda: clinic_settings_update(clinic=first_page, actor=admin_a, pain_alert_level=8),
        lambda: clinic_settings_update(clinic=second_page, actor=admin_a, pain_alert_level=9),
    )

    details = AuditEntry.objects.filter(target_type="clinics.Clinic").order_by("sequence")
    assert [entry.detail.split(" ", 3)[-1] for entry in details] == ["7 → 8", "8 → 9"]


@pytest.mark.django_db(transaction=True)
def test_a_save_is_checked_with_a_change_committed_while_it_waited(require_postgres, admin_a):
    # One admin lowers the alert level to 6 while another, whose page still shows 7, raises
    # the hold-back level to 6: together they would hold back at the alert level.
    first_page, second_page = (Clinic.objects.get(pk=admin_a.clinic_id) for _ in range(2))
    refused: list[Exception] = []

    def raise_hold_back() -> None:
        try:
            clinic_settings_update(clinic=second_page, actor=admin_a, pain_progression_limit=6)
        except Exception as error:  # the ValidationError, kept for the assertion below
            refused.append(error)

    race(
        lambda: clinic_settings_update(clinic=first_page, actor=admin_a, pain_alert_level=6),
        raise_hold_back,
    )

    clinic = Clinic.objects.get(pk=admin_a.clinic_id)
    assert (clinic.pain_alert_level, clinic.pain_progression_limit) == (6, 5)
    assert "hold-back level must be below the alert level (6)" in str(refused)
