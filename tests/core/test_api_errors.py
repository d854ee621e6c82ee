import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from apps.core.api import exception_handler
from apps.patients.models import HipPrecaution
from tests.conftest import signed_in


def test_a_service_error_with_fields_is_a_400_naming_them():
    response = exception_handler(DjangoValidationError({"reason": "Say why."}), {})

    assert response.status_code == 400
    assert response.data == {"message": "reason: Say why.", "errors": {"reason": ["Say why."]}}


def test_a_service_error_without_fields_is_a_400_too():
    response = exception_handler(DjangoValidationError("This prompt was answered."), {})

    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["This prompt was answered."]}
    assert response.data["message"] == "This prompt was answered."


@pytest.mark.django_db
def test_errors_of_a_list_element_are_named_by_a_dotted_key_not_a_python_repr(
    therapist_a, patient_a
):
    url = f"/api/v1/patients/{patient_a.public_id}/precautions/create/"
    body = {"kind": "custom", "movements": ["flexion", "fly"], "starts_on": "2026-03-01"}

    response = signed_in(therapist_a).post(url, body, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["movements.1"] == ['"fly" is not a valid choice.']
    assert "ErrorDetail" not in response.json()["message"]
    assert not HipPrecaution.objects.exists()


def test_errors_of_nested_objects_are_flattened_with_dotted_keys():
    detail = {"items": [{}, {"sets": ["Too many."]}], "non_field_errors": ["Check the dates."]}

    response = exception_handler(ValidationError(detail), {})

    assert response.data["errors"] == {
        "items.1.sets": ["Too many."],
        "non_field_errors": ["Check the dates."],
    }
