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


def test_a_number_out_of_range_is_refused_in_plain_words_naming_the_range():
    from apps.core.forms import BoundedIntegerField

    class Dose(forms.Form):
        sets = BoundedIntegerField(min_value=1, max_value=20)

    for given in ("0", "21", "two"):
        form = Dose({"sets": given})
        assert not form.is_valid()
        assert form.errors["sets"] == ["Give a whole number from 1 to 20."], given
    assert Dose({"sets": "3"}).is_valid()


def test_a_year_of_birth_out_of_range_says_which_years(db):
    from apps.patients.forms import YearOfBirthForm

    form = YearOfBirthForm({"year_of_birth": "1800"})

    assert form.errors["year_of_birth"] == ["Give a year between 1900 and this year."]


class ChoicesForm(forms.Form):
    kind = forms.ChoiceField(label="Approach", choices=[("a", "A"), ("b", "B")],
                             widget=forms.RadioSelect)  # fmt: skip


def test_a_group_of_radio_buttons_is_named_by_a_legend_not_an_empty_label():
    from django.template.loader import render_to_string

    html = render_to_string("includes/field.html", {"field": ChoicesForm()["kind"]})

    assert "<legend>Approach</legend>" in html
    assert 'for=""' not in html
