from django.core.exceptions import ValidationError as DjangoValidationError

from apps.core.api import exception_handler


def test_a_service_error_with_fields_is_a_400_naming_them():
    response = exception_handler(DjangoValidationError({"reason": "Say why."}), {})

    assert response.status_code == 400
    assert response.data == {"message": "reason: Say why.", "errors": {"reason": ["Say why."]}}


def test_a_service_error_without_fields_is_a_400_too():
    response = exception_handler(DjangoValidationError("This prompt was answered."), {})

    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["This prompt was answered."]}
    assert response.data["message"] == "This prompt was answered."
