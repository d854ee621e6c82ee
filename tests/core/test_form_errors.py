from django import forms
from django.core.exceptions import ValidationError

from apps.core.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def test_field_errors_go_on_their_field_and_others_on_top():
    form = NameForm({"name": "x"})
    form.is_valid()

    add_service_errors(form, ValidationError({"name": "Taken.", "clinic": "Closed."}))

    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Closed."]


def test_an_error_without_fields_goes_on_top():
    form = NameForm({"name": "x"})
    form.is_valid()

    add_service_errors(form, ValidationError("Not now."))

    assert form.non_field_errors() == ["Not now."]
