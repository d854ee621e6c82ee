"""Form helpers shared by every app's views."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message on its field, messages
    about anything the form has no field for, or only a hidden one (its one-time key), or
    with no field at all, at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, messages)


class BoundedIntegerField(forms.IntegerField):
    """A whole number within ``min_value`` and ``max_value`` whose refusals say the range in
    plain words ("Give a whole number from 1 to 20."), where Django's say "Ensure this value is
    less than or equal to 20." (and a word typed in a number box, "Enter a whole number.").
    ``error_messages`` given by the caller win."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        plain = f"Give a whole number from {min_value} to {max_value}."
        messages = {"min_value": plain, "max_value": plain, "invalid": plain}
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(
            min_value=min_value, max_value=max_value, error_messages=messages, **kwargs
        )
