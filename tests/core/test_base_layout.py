"""What every page's layout (templates/base.html) carries."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client):
    html = client.get("/sign-in/").content.decode()

    assert '<link rel="icon" href="/static/img/icon-192.png"' in html
    assert finders.find("img/icon-192.png")
