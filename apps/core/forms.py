"""Form helpers shared by every app's views."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator


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


class LongTextField(forms.CharField):
    """Free text with a most, in a text area, refused past it with ``too_long`` (Django's
    ``%(limit_value)d`` and ``%(show_value)d`` fill in). The page's text area has no
    ``maxlength``: a browser would cut a pasted note short without a word, losing its end,
    where the refusal keeps the text for the person to shorten."""

    def __init__(self, *, most: int, too_long: str, rows: int = 2, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            max_length=most,
            widget=forms.Textarea(attrs={"rows": rows}),
            error_messages={"max_length": too_long},
            help_text=f"Up to {most} characters.",
            **kwargs,
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def allow_stored(self, stored: str) -> None:
        """Let ``stored``, a text saved longer before the limit, come back unchanged: a save
        of the form's other fields must not be refused for it (the service limits only a text
        typed anew)."""
        if self.max_length is None or len(stored) <= self.max_length:
            return
        self.max_length = len(stored)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, MaxLengthValidator)),
            MaxLengthValidator(len(stored)),
        ]


class PublicIdChoiceField(forms.ModelChoiceField):
    """A choice of one object by its ``public_id`` where a value that is no id at all is the
    field's ``invalid_choice`` too, as an id that names nothing is (Django answers it with
    "“x” is not a valid UUID.")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(to_field_name="public_id", **kwargs)

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error


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
