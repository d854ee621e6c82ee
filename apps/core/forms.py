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


def show_values_drawn(form: forms.BaseForm) -> None:
    """Make each field of an edit form carry the value it showed (``show_hidden_initial``),
    for ``changed_values``."""
    for field in form.fields.values():
        field.show_hidden_initial = True


def changed_values(form: forms.BaseForm) -> dict[str, Any]:
    """A valid edit form's cleaned values of the fields the person changed from what the form
    showed them (``show_values_drawn``), not every value the page sent back: a value sent
    back as shown keeps what is stored at the save, someone else's change committed while the
    page was open included. A field whose shown value did not come back (a page drawn by an
    earlier release) is taken as changed: saved as sent."""
    return {
        name: form.cleaned_data[name]
        for name in form.fields
        if name in form.changed_data or form.add_initial_prefix(name) not in form.data
    }
