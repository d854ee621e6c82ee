"""Helpers for the tests that send a form or an API request twice (apps.core.once)."""

from __future__ import annotations

import re
from typing import Any

KEY = re.compile(r'name="(?:[\w-]+-)?client_id" value="([0-9a-f-]{36})"')


def form_key(page: str, action: str = "", marked: str = "") -> str:
    """The one-time key of the first form on ``page`` that carries one, of the form posting
    to ``action``, or of the form holding the text ``marked`` (when several forms post to
    the same page)."""
    if action or marked:
        at = page.index(f'action="{action}"') if action else page.index(marked)
        start = page.rindex("<form", 0, at + 1) if marked else at
        found = KEY.search(page, start, page.index("</form>", at))
    else:
        found = KEY.search(page)
    assert found, "the form carries no one-time key"
    return found.group(1)


def assert_reused(response: Any, *fields: str) -> None:
    """``response`` is the API's 409 for a key sent with a different request: it names
    ``client_id`` and exactly ``fields``, each also in the message."""
    assert response.status_code == 409, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"client_id", *fields}
    assert "already used for a different" in errors["client_id"][0]
    assert f"({', '.join(fields)} differ)" in errors["client_id"][0]
