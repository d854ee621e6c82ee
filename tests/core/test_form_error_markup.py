"""The markup a form's errors are shown in, on every page: what js/form-errors.js (loaded by
templates/base.html) focuses, and what ties each field to its message (WCAG 2.2 AA 3.3.1,
4.1.2)."""

import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(r"<[a-z]+ [^>]*class=\"form-errors[^\"]*\"[^>]*>")


def test_every_error_summary_is_focusable_and_read_out():
    templates = [*ROOT.glob("apps/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]
    summaries = [
        (path.relative_to(ROOT), tag)
        for path in templates
        for tag in SUMMARY.findall(path.read_text())
    ]
    assert len(summaries) > 10
    not_ready = [
        (str(path), tag)
        for path, tag in summaries
        if 'tabindex="-1"' not in tag or 'role="alert"' not in tag
    ]
    assert not_ready == []


@pytest.mark.django_db
def test_every_page_loads_the_script_that_focuses_the_errors(client):
    html = client.get("/sign-in/").content.decode()

    assert '<script src="/static/js/form-errors.js" defer></script>' in html


class Choices(forms.Form):
    kind = forms.ChoiceField(label="Approach", choices=[("a", "A"), ("b", "B")],
                             widget=forms.RadioSelect, help_text="Pick one.")  # fmt: skip
    name = forms.CharField()


def _refused(**errors: str) -> Choices:
    form = Choices({"kind": "a", "name": "x"})
    form.is_valid()
    for name, message in errors.items():
        form.add_error(name, message)
    return form


def test_a_group_of_radio_buttons_in_error_is_described_by_its_help_and_its_message():
    html = render_to_string(
        "includes/field.html", {"field": _refused(kind="Not that one.")["kind"]}
    )

    assert (
        '<fieldset class="field field-invalid" aria-describedby="id_kind_helptext id_kind_error">'
        in html
    )
    assert html.count('aria-invalid="true"') == 2  # each button
    assert re.search(
        r'<div id="id_kind_error"><p class="field-error" role="alert">Not that one.</p>', html
    )


def test_a_group_without_error_is_described_by_its_help_only():
    html = render_to_string("includes/field.html", {"field": Choices()["kind"]})

    assert '<fieldset class="field" aria-describedby="id_kind_helptext">' in html
    assert "aria-invalid" not in html


def test_every_message_of_a_field_is_under_the_one_id_it_is_described_by():
    field = _refused(name="Too short.")["name"]
    field.form.add_error("name", "Taken.")
    html = render_to_string("includes/field.html", {"field": field})

    assert 'aria-invalid="true" aria-describedby="id_name_error"' in html
    assert html.count('id="id_name_error"') == 1
    error_box = re.search(r'<div id="id_name_error">(.*?)</div>', html, re.S)
    assert error_box is not None
    assert "Too short." in error_box[1]
    assert "Taken." in error_box[1]
