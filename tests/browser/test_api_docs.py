"""The interactive API docs run under the app's one CSP, with every file from the app."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_no_csp_violation_and_no_other_origin(desktop_page, live_server):
    page = desktop_page
    errors = watch_errors(page)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    origins: set[str] = set()
    page.on("request", lambda r: origins.add(urlsplit(r.url).netloc))

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.get_by_text("/api/v1/whoami/").first.wait_for()

    assert "Clamshell API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
    assert errors == []
    assert origins == {urlsplit(live_server.url).netloc}
    screenshot(page, "api-docs")
