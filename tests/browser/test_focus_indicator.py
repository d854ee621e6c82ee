"""WCAG 2.2 AA 1.4.11 (non-text contrast) and 2.4.7 (focus visible): the ring that shows which
control has keyboard focus must stand out at 3:1 from what is around it. The yellow ring alone
was 1.6:1 on a white card and 1.5:1 on the page's grey: a keyboard user could not find the
focus on most of a page. Tabbed through a staff page and the patient's Today, every focused
control shows a ring with one colour at 3:1 or more against the background behind it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_page, clamshell_item, sign_in_patient, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused control's ring colours (outline and box-shadow; for a hidden radio, the span that
# shows it) and their best contrast with the first opaque background behind the control.
RING = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    const [r, g, b] = rgb(c);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  let el = document.activeElement;
  if (el.matches("input[type=radio]") && el.nextElementSibling) el = el.nextElementSibling;
  const style = getComputedStyle(el);
  const colours = [];
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  if (outlined) colours.push(style.outlineColor);
  for (const c of style.boxShadow.match(/rgba?\\([^)]*\\)/g) || []) colours.push(c);
  let bg = "rgb(255, 255, 255)";
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = getComputedStyle(p).backgroundColor;
    if (rgb(c).length === 3 || rgb(c)[3] === 1) { bg = c; break; }
  }
  const best = Math.max(0, ...colours.map((c) => ratio(c, bg)));
  const name = (document.activeElement.textContent || document.activeElement.name || "").trim();
  const control = `${document.activeElement.tagName} ${name.slice(0, 30)}`;
  return {control, bg, best: Math.round(best * 100) / 100};
}"""


def rings(page, presses: int) -> list[dict]:
    found = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement !== document.body"):  # not past the end
            found.append(page.evaluate(RING))
    return found


def test_the_focus_ring_stands_out_on_white_and_grey(browser, live_server, therapist_a, patient_a):
    clamshell_item(patient_a)
    with browser_page(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        sign_in_staff(page, therapist_a)
        page.goto(f"/patients/{patient_a.public_id}/")
        staff = rings(page, 12)
    with browser_page(browser, live_server, viewport={"width": 390, "height": 844}) as page:
        sign_in_patient(page, patient_a)
        page.locator("input[name=pain]").first.focus()
        patient = [page.evaluate(RING), *rings(page, 8)]

    assert [r for r in staff + patient if r["best"] < 3] == []
