"""Helpers for the tests that send a form or an API request twice (apps.core.once)."""

from __future__ import annotations

import re

KEY = re.compile(r'name="(?:[\w-]+-)?client_id" value="([0-9a-f-]{36})"')


def form_key(page: str, action: str = "") -> str:
    """The one-time key of the first form on ``page`` that carries one, or of the form
    posting to ``action``."""
    if action:
        start = page.index(f'action="{action}"')
        found = KEY.search(page, start, page.index("</form>", start))
    else:
        found = KEY.search(page)
    assert found, "the form carries no one-time key"
    return found.group(1)
