"""WCAG 2.2 AA on every page (DESIGN.md's quality bar), not a sample: on the demo data
(``load_library`` and ``seed_demo``, with the smoke test's extras), the clinic admin, a
therapist and a patient each sign in and open every page their role can open, as the demo
smoke test lists and fills them; a visitor who is not signed in opens the public pages. The
pages that say no (not found, not yours, a link that does not work) are opened too.

axe-core checks each page for the WCAG 2.0, 2.1 and 2.2 A and AA rules at a desktop width and
at 360 px (the patient's phone); the patient's pages are also measured at 360 px with the
text doubled (a phone's "large text"): nothing may be wider than the screen. Downloads (PDF,
CSV, spreadsheets, images, JSON) are skipped by their content type. Every finding on every
page is collected and reported together, one line each.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from apps.clinics.models import Role, User
from apps.devdata.demo import DEMO_PASSWORD
from apps.patients.auth import personal_link_path
from tests.browser.conftest import browser_page
from tests.devdata.test_demo_smoke import (
    Demo,
    Person,
    build_demo,
    clinic_of,
    page_targets,
    visible,
)
from tests.security.expectations import PAGES, PUBLIC
from tests.security.matrix import page_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

# Findings left for a product decision, by (URL name, axe rule): the reason each is allowed.
# An entry that no longer matches anything fails the test too, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""

# The page's width against the screen's, and the innermost elements sticking out of it.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1))
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.classList.length ? '.' + [...el.classList].join('.') : ''}`);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@dataclass(frozen=True)
class Visit:
    name: str  # the URL's name
    url: str
    status: int = 200


# The pages that say no: an address that does not exist, a page of another role, a link that
# does not work.
REFUSALS = {
    None: [Visit("not-found", "/no-such-page/", 404),
           Visit("patients:one-time", "/sign-in/link/not-a-working-link/", 404)],
    "admin": [Visit("not-found", "/no-such-page/", 404), Visit("refused", "/today/", 403)],
    "therapist": [Visit("refused", "/clinic/settings/", 403)],
    "patient": [Visit("not-found", "/no-such-page/", 404), Visit("refused", "/patients/", 403)],
}  # fmt: skip


def visits(demo: Demo, person: Person | None) -> list[Visit]:
    """Every page ``person`` (None: a visitor not signed in) can open: on staff pages with
    the first object of their clinic's own the page names and the shared library's first
    (the clinic cannot change it), on the patient's with every object of their own (a
    questionnaire in each state). A write's address is left out (a GET of it only sends the
    browser to the page that holds its form), so is one that only redirects (home, sign-out)."""
    found = []
    for route in page_routes():
        rule = PAGES[route.name]
        if rule.writes or 200 not in rule.ok:
            continue
        if person is None:
            if rule.audience != PUBLIC:
                continue
        elif rule.audience == PUBLIC or not person.in_audience(rule.audience):
            continue
        targets = page_targets(demo, route.name, route.params)
        if person is not None:
            targets = [t for t in targets if t[1] is None or visible(person, t[1], route.name)]
        chosen = targets
        if person is None or person.kind != "patient":
            own = [t for t in targets if t[1] is None or clinic_of(t[1]) is not None]
            shared = [t for t in targets if t[1] is not None and clinic_of(t[1]) is None]
            chosen = own[:1] + shared[:1]
        found += [Visit(route.name, reverse(route.name, kwargs=kwargs)) for kwargs, _ in chosen]
    return found + REFUSALS[person.kind if person is not None else None]


def roles(demo: Demo) -> list[Person]:
    """The first clinic's admin, its first patient and that patient's therapist (the
    smoke test's extras are made on that patient)."""
    patient = demo.objects["patient"][0]
    admin = User.objects.get(clinic=patient.clinic, role=Role.ADMIN)
    return [
        Person("clinic admin", "admin", admin),
        Person("therapist", "therapist", patient.therapist),
        Person("patient", "patient", patient.user, patient),
    ]


def sign_in(page, person: Person) -> None:
    if person.kind == "patient":
        assert person.patient is not None
        page.goto(personal_link_path(person.patient))
        page.get_by_label("Your year of birth").fill(str(person.patient.year_of_birth))
        page.get_by_role("button", name="Open my exercises").click()
        page.wait_for_url("**/today/")
        return
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(person.user.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/sign-in/)"))


def opened(page, visit: Visit, fetches: Fetches) -> bool:
    """Whether the visit's address opened as a page (an HTML document). A download or a file
    is not one, nor a piece of a page htmx fetches (no doctype): it is checked in its page."""
    url = visit.url
    fetches.pending.clear()  # the last page's, dropped with it
    try:
        response = page.goto(url)
    except PlaywrightError as exc:
        if "Download is starting" in str(exc):
            return False
        raise
    assert response is not None, url
    if "text/html" not in response.headers.get("content-type", ""):
        return False
    assert response.status == visit.status, f"{url}: {response.status}"
    drawn(page, visit, fetches)
    return bool(page.evaluate("document.doctype !== null"))


def _operations(page) -> int:
    """How many operations the API's schema, as the docs page fetches it, holds."""
    schema = page.request.get(reverse("api-schema") + "?format=json").json()
    return sum(len(methods) for methods in schema["paths"].values())


# What shows that a page drawing after its load event is drawn: the API docs (Swagger UI)
# fetch the schema and draw a row for each of its operations.
DRAWN_AFTER_LOAD = {
    "api-docs": ("n => document.querySelectorAll('.swagger-ui .opblock').length >= n", _operations),
}


class Fetches:
    """The page's fetch and XHR requests not answered yet (by the current document)."""

    def __init__(self, page) -> None:
        self.pending: set[object] = set()
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _sent(self, request) -> None:
        if request.resource_type in ("fetch", "xhr"):
            self.pending.add(request)

    def _done(self, request) -> None:
        self.pending.discard(request)


def drawn(page, visit: Visit, fetches: Fetches, *, seconds: float = 15) -> None:
    """Wait until the page is drawn: axe run before a page that draws after its load event
    is drawn saw it half drawn, and what it found depended on the machine's speed. A page of
    ``DRAWN_AFTER_LOAD`` waits for its condition; any page, for the fetches it sent to be
    answered and then two frames, for what they draw. (Playwright's "networkidle" did this
    with half a second of quiet after every page: a minute of the test's three.)"""
    if visit.name in DRAWN_AFTER_LOAD:
        condition, argument = DRAWN_AFTER_LOAD[visit.name]
        page.wait_for_function(condition, arg=argument(page), timeout=seconds * 1000)
    deadline = time.monotonic() + seconds
    while fetches.pending:
        assert time.monotonic() < deadline, f"{visit.url}: fetches unanswered after {seconds} s"
        page.wait_for_timeout(20)
    page.evaluate(TWO_FRAMES)


TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def axe(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):  # once a page, kept across widths
        page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate(AXE_RUN, TAGS)


@dataclass
class Findings:
    """Each finding once, with the widths it was found at."""

    found: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    allowed_used: set[tuple[str, str]] = field(default_factory=set)
    checked: list[str] = field(default_factory=list)  # who opened which page

    def add(self, who: str, visit: Visit, where: str, violations: list[dict]) -> None:
        for v in violations:
            if (visit.name, v["id"]) in ALLOWED:
                self.allowed_used.add((visit.name, v["id"]))
                continue
            targets = ", ".join(v["targets"][:3]) + (" …" if len(v["targets"]) > 3 else "")
            what = f"{v['id']} [{v['impact']}] {v['help']} — {targets}"
            self.found.setdefault((who, visit.url, what), []).append(where)

    def lines(self) -> list[str]:
        return [f"{who} {url} ({', '.join(where)}): {what}"
                for (who, url, what), where in self.found.items()]  # fmt: skip


def check(
    page, who: str, visit: Visit, fetches: Fetches, findings: Findings, *, large_text: bool
) -> None:
    page.set_viewport_size(DESKTOP)
    if not opened(page, visit, fetches):
        return
    findings.checked.append(f"{who} {visit.url}")
    findings.add(who, visit, f"{DESKTOP['width']} px", axe(page))
    page.set_viewport_size(PHONE)
    findings.add(who, visit, f"{PHONE['width']} px", axe(page))
    if large_text:
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        wide = page.evaluate(TOO_WIDE)
        if wide["scroll"] > wide["width"] or wide["wide"]:
            what = f"wider than the screen ({wide['scroll']} px) — {', '.join(wide['wide'])}"
            findings.found[(who, visit.url, what)] = ["360 px, text 200%"]


@pytest.fixture
def demo(transactional_db, settings, tmp_path) -> Demo:
    """The demo, committed for the live server (the test's flush empties it afterwards)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_demo()


def test_every_page_of_every_demo_role_meets_wcag_2_2_aa(browser, live_server, demo):
    findings = Findings()
    for person in [None, *roles(demo)]:
        who = person.label if person is not None else "not signed in"
        with browser_page(browser, live_server, viewport=DESKTOP) as page:
            fetches = Fetches(page)
            if person is not None:
                sign_in(page, person)
            for visit in visits(demo, person):
                large_text = person is not None and person.kind == "patient"
                check(page, who, visit, fetches, findings, large_text=large_text)

    print(f"{len(findings.checked)} pages checked:", *findings.checked, sep="\n")
    problems = findings.lines()
    stale = set(ALLOWED) - findings.allowed_used
    problems += [f"ALLOWED entry no longer found, remove it: {entry}" for entry in sorted(stale)]
    assert not problems, f"{len(problems)} accessibility findings:\n" + "\n".join(problems)
