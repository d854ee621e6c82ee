"""What every page's layout (templates/base.html) carries."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client):
    html = client.get("/sign-in/").content.decode()

    assert '<link rel="icon" href="/static/img/icon-192.png"' in html
    assert finders.find("img/icon-192.png")


def test_no_template_comment_spans_lines():
    """``{# #}`` ends at the end of its line: one left open is printed on the page as text
    (it happened on the patient's Today). Longer comments use ``{% comment %}``."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [*root.glob("apps/*/templates/**/*.html"), *root.glob("templates/**/*.html")]
    assert templates
    open_comments = [
        f"{path.relative_to(root)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert open_comments == []
