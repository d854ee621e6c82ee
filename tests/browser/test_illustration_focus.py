"""An exercise's pictures enlarged to the whole screen are a dialog for the keyboard: Tab and
Shift+Tab stay on the enlarged view (its one control closes it) instead of moving to a link or
field hidden behind it (WCAG 2.2 AA 2.4.11, focus not obscured; 2.1.2), and closing it, by
Escape or by the control, leaves focus on the control that opened it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, browser_page, clamshell_item, sign_in_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether the focused element shows at its own centre (nothing drawn over it).
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = Math.min(innerHeight - 1, Math.max(0, r.top + r.height / 2));
  const top = document.elementFromPoint(x, y);
  return el !== document.body && !!top && (el === top || el.contains(top));
}"""


def test_tab_stays_on_the_enlarged_pictures_and_closing_returns_focus(
    browser, live_server, patient_a
):
    clamshell_item(patient_a)
    with browser_page(browser, live_server, **PHONE) as page:
        sign_in_patient(page, patient_a)
        figure = page.locator("[data-illustration]").first
        toggle = figure.locator("[data-illustration-toggle]")
        toggle.focus()
        page.keyboard.press("Enter")
        assert "is-enlarged" in (figure.get_attribute("class") or "")

        for key in ("Tab", "Tab", "Shift+Tab"):
            page.keyboard.press(key)
            assert page.evaluate(FOCUS_SHOWN), key
            assert figure.evaluate("f => f.contains(document.activeElement)"), key

        page.keyboard.press("Escape")
        assert "is-enlarged" not in (figure.get_attribute("class") or "")
        assert toggle.evaluate("b => b === document.activeElement")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")  # the control closes it too, and keeps the focus
        assert "is-enlarged" not in (figure.get_attribute("class") or "")
        assert toggle.evaluate("b => b === document.activeElement")
