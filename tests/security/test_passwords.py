"""Passwords are checked by Django's validators wherever staff passwords are set."""

import pytest
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError

from apps.clinics.admin import UserAdmin
from apps.clinics.models import User
from apps.clinics.services import staff_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["short1", "password123", "1234567890123", "jane.doe@a.example"]
)
def test_staff_accounts_refuse_weak_passwords(clinic_a, password):
    with pytest.raises(ValidationError):
        staff_create(
            clinic=clinic_a,
            email="jane.doe@a.example",
            full_name="Jane Doe",
            role="therapist",
            password=password,
        )


def test_the_operators_admin_forms_validate_passwords(admin_a, rf):
    request = rf.get("/")
    request.user = admin_a
    form_class = UserAdmin(User, admin.site).get_form(request, obj=None)
    add_form = form_class(
        data={"email": "new@a.example", "password1": "password123", "password2": "password123"}
    )
    change_form = AdminPasswordChangeForm(
        admin_a, data={"password1": "password123", "password2": "password123"}
    )

    assert not add_form.is_valid()
    assert "password2" in add_form.errors
    assert not change_form.is_valid()
