"""``PrerenderedTemplate`` gives what the template renders, for any text in its slots, and
refuses a template that would escape or filter a slot."""

import pytest
from django.template import engines
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from apps.core.prerender import MAX_VARIANTS, PrerenderedTemplate

SOURCE = (
    "{% autoescape off %}Hi {{ name }}, {{ shared }}"
    "{% if link %} open {{ link }}{% else %} no link{% endif %}"
    "{% if count %} ({{ count }} due){% endif %} [{{ name }}]{% endautoescape %}"
)


def template(source=SOURCE):
    return engines["django"].from_string(source)


@given(
    name=st.text(),
    link=st.one_of(st.none(), st.text()),
    count=st.integers(min_value=0, max_value=3),
)
def test_it_gives_what_the_template_renders(name, link, count):
    prerendered = PrerenderedTemplate(template(), slots=("name", "link"))
    for shared in ("a <b> & 'c'", "d"):  # the variants of one instance do not mix
        context = {"name": name, "link": link, "count": count, "shared": shared}
        assert prerendered.render(context) == template().render(context)


def test_an_empty_slot_renders_as_the_template_would():
    prerendered = PrerenderedTemplate(template(), slots=("name", "link"))
    for link in (None, "", "https://x.example/<&>"):
        context = {"name": "", "link": link, "count": 0, "shared": ""}
        assert prerendered.render(context) == template().render(context)


def test_each_language_has_its_own_variant():
    source = (
        "{% load i18n %}{% autoescape off %}{% translate 'Yes' %} {{ name }}{% endautoescape %}"
    )
    prerendered = PrerenderedTemplate(template(source), slots=("name",))
    with translation.override("fr"):
        assert prerendered.render({"name": "Zoë"}) == "Oui Zoë"
    with translation.override("en"):
        assert prerendered.render({"name": "Zoë"}) == "Yes Zoë"


def test_the_variants_kept_are_bounded():
    prerendered = PrerenderedTemplate(template(), slots=("name", "link"))
    for count in range(MAX_VARIANTS * 2):
        context = {"name": "x", "link": None, "count": count, "shared": ""}
        assert prerendered.render(context) == template().render(context)
    assert len(prerendered._variants) <= MAX_VARIANTS


@pytest.mark.parametrize(
    "source",
    ["Hi {{ name }}", "{% autoescape off %}{{ name|upper }}{% endautoescape %}"],
    ids=["autoescaped", "filtered"],
)
def test_a_slot_the_template_changes_is_refused(source):
    prerendered = PrerenderedTemplate(template(source), slots=("name",))
    with pytest.raises(ValueError, match="escapes or filters a slot"):
        prerendered.render({"name": "Ann"})
