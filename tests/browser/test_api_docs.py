"""The interactive API docs run under the app's one CSP, with every file from the app, and
meet the same accessibility bar as every page (axe-core, WCAG 2.2 AA)."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

AXE_RUN = """async (rules) => {
  const result = await axe.run(document, {runOnly: {type: 'rule', values: rules},
                                          resultTypes: ['violations']});
  return result.violations.map((v) => `${v.id} (${v.nodes.length}): `
    + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
}"""


def open_docs(page) -> None:
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.get_by_text("/api/v1/whoami/").first.wait_for()


def axe(page, rules: list[str]) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate(AXE_RUN, rules)


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

    open_docs(page)

    assert "Clamshell API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
    assert errors == []
    assert origins == {urlsplit(live_server.url).netloc}
    screenshot(page, "api-docs")


def test_an_operation_row_is_one_button_of_a_usable_size(desktop_page, live_server):
    """Deep links drew each operation's path as a link inside the row's expand button (axe:
    nested-interactive), 14 to 19 px tall (target-size)."""
    page = desktop_page
    open_docs(page)
    row = page.locator(".opblock-summary-control").first

    assert row.locator("a[href], button, input, select, textarea, [tabindex]").count() == 0
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert axe(page, ["nested-interactive", "target-size"]) == [], viewport
    row.click()
    assert page.locator(".opblock.is-open").count() == 1
