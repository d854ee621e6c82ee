"""The interactive API docs run under the app's one CSP, with every file from the app, and
meet the same accessibility bar as every page (axe-core, WCAG 2.2 AA)."""

from urllib.parse import urlsplit

import pytest

from apps.clinics.tokens import api_token_create
from tests.browser.conftest import screenshot, watch_errors
from tests.browser.test_every_page_accessible import TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

# Swagger UI's Authorize dialog: its close button (an icon) has no name and its submit buttons
# read "Authorize" but are named "Apply credentials". Markup, out of a theme's reach; every
# other rule (colours, sizes) is checked there.
DIALOG_MARKUP = ("button-name", "label-content-name-mismatch")

AXE_RUN = """async ([runOnly, off]) => {
  const rules = Object.fromEntries(off.map((id) => [id, {enabled: false}]));
  const result = await axe.run(document, {runOnly, rules, resultTypes: ['violations']});
  return result.violations.map((v) => `${v.id} (${v.nodes.length}): `
    + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
}"""


def open_docs(page) -> None:
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.get_by_text("/api/v1/whoami/").first.wait_for()


def axe(page, rules: list[str] | None = None, *, off: tuple[str, ...] = ()) -> list[str]:
    """axe's findings on the page: ``rules`` by id, or else every WCAG 2.2 AA rule."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    # Swagger UI's buttons fade between colours (0.3 s): checked once they have settled.
    page.wait_for_function(
        "() => !document.getAnimations().some((a) => a instanceof CSSTransition)"
    )
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    return page.evaluate(AXE_RUN, [run_only, list(off)])


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


def test_the_api_docs_meet_wcag_2_2_aa_closed_open_and_tried(desktop_page, live_server, admin_a):
    """Swagger UI's pale method badges, grey labels, links and buttons, darkened by the
    theme in static/css/api-docs.css, checked as drawn and with an operation tried out with
    a token entered in the Authorize dialog."""
    page = desktop_page
    _, secret = api_token_create(admin=admin_a, user=admin_a, name="Docs")
    open_docs(page)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert axe(page) == [], viewport
    page.set_viewport_size(DESKTOP)

    page.locator(".scheme-container .btn.authorize").click()
    dialog = page.locator(".dialog-ux")
    dialog.locator(".auth-container").first.locator("input").fill(secret)
    assert axe(page, off=DIALOG_MARKUP) == []
    dialog.locator(".auth-container").first.locator("button[type=submit]").click()
    dialog.get_by_role("button", name="Close").first.click()
    whoami = page.locator("#operations-whoami-whoami")
    whoami.locator(".opblock-summary-control").click()
    whoami.get_by_role("button", name="Try it out").click()
    whoami.get_by_role("button", name="Execute").click()
    answer = whoami.locator(".live-responses-table .response .response-col_status")

    assert answer.inner_text().strip() == "200"
    assert admin_a.email in whoami.locator(".live-responses-table .microlight").first.inner_text()
    assert axe(page) == []
