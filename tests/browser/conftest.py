"""Browser tests: Playwright driving Debian's Chromium against a live server on loopback.

Chromium must be installed (`apt-get install -y chromium`); in CI a missing browser fails the
run. Screenshots of key screens are saved under ``test-artifacts/screenshots/``; with
``CLAMSHELL_DOCS_SCREENSHOTS=1`` the few marked for the README are also written, small, to
``docs/screenshots/``.

Time: the live server is a thread of the test process, so ``server_clock`` (time_machine)
moves the app's "now"; ``browser_clock`` gives the browser the same "now". A Celery worker is
another process and keeps the real time: give it only work that does not read the clock
(evaluating a log), or an explicit ``now`` (the reminder dispatcher)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.servers.basehttp import WSGIRequestHandler

from tests.conftest import need_service
from tests.factories import STAFF_PASSWORD

# Playwright's sync API runs an event loop in this thread; the test itself still talks to the
# database synchronously, which Django would otherwise refuse in the presence of a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "static" / "vendor" / "axe.min.js"
# A Tuesday morning in March: every patient's "today" is well away from midnight and from a
# clock change, whatever the real date of the run.
JOURNEY_START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


# One Playwright and one Chromium per test module, stopped when the module ends. Sync
# Playwright leaves its event loop set as this thread's running loop for as long as it runs:
# kept for the whole run, every later non-browser test in the process would find a "running"
# loop, and `async_to_sync` (the session store's async tests) refuses to run beside one.
# Other test packages import these fixtures into their modules, which makes each import a
# fixture of its own: the count makes sure no second sync Playwright starts inside the first
# one's event loop, which Playwright refuses.
_shared: dict[str, object] = {}
_users = 0


def _shared_browser():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    return _shared["browser"]


def _release_browser() -> None:
    global _users
    _users -= 1
    if _users == 0 and "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    global _users
    available = os.path.exists(CHROMIUM) or shutil.which("chromium") is not None
    need_service("Chromium", available, "apt-get install -y chromium")
    _users += 1
    try:
        yield _shared_browser()
    finally:
        _release_browser()


@contextmanager
def browser_page(browser, live_server, **options) -> Iterator[object]:
    """A page of a fresh browser context on the live server (``options``: Playwright's
    context options: viewport, touch), closed afterwards."""
    context = browser.new_context(base_url=live_server.url, **options)
    try:
        yield context.new_page()
    finally:
        context.close()
        wait_for_requests_answered()


@pytest.fixture
def desktop_page(browser, live_server):
    with browser_page(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        yield page


@pytest.fixture
def phone_page(browser, live_server):
    with browser_page(browser, live_server, **PHONE) as page:
        yield page


def screenshot(page, name: str, *, readme: str = "") -> Path:
    """Save the whole page; with ``readme`` (a file name) also docs/screenshots/<readme>.png
    when asked for."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("CLAMSHELL_DOCS_SCREENSHOTS") == "1":
        _docs_screenshot(page, readme)
    return path


def _docs_screenshot(page, name: str) -> None:
    """The top of the page (up to 1.6 screens) as a 256-colour PNG, small enough for the
    repository."""
    from io import BytesIO

    from PIL import Image

    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {
        "x": 0,
        "y": 0,
        "width": viewport["width"],
        "height": min(height, viewport["height"] * 1.6),
    }
    image = Image.open(BytesIO(page.screenshot(full_page=True, clip=clip)))
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    quantized = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    quantized.save(DOCS_SCREENSHOTS / f"{name}.png", optimize=True)


def assert_accessible(page, *, impacts: tuple[str, ...] | None = ("serious", "critical")) -> None:
    """Run axe-core (from npm, served as a static file) and fail on violations of these
    impacts (by default serious or critical; ``None``: any impact at all)."""
    assert AXE.exists(), "static/vendor/axe.min.js is missing: run `make assets`"
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if impacts is None or v["impact"] in impacts
    ]
    assert not found, f"accessibility violations on {page.url}:\n" + "\n".join(found)


# --- Journeys -------------------------------------------------------------------------------


@pytest.fixture
def server_clock() -> Iterator[time_machine.Traveller]:
    """The app's clock at ``JOURNEY_START``, ticking; ``.shift(timedelta(days=1))`` is the
    next day for the live server and for everything the test process computes."""
    with time_machine.travel(JOURNEY_START, tick=True) as traveller:
        yield traveller


def browser_clock(page) -> None:
    """Give the page's browser context the app's current time (it keeps running), so what
    the page's scripts call "today" is the server's today. Call before the first ``goto``."""
    page.context.clock.install(time=datetime.now(UTC))


def watch_errors(page) -> list[str]:
    """Collect script errors and failed requests (4xx and 5xx) while the journey runs."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def check_page(page, name: str, *, readme: str = "") -> None:
    """What every journey does on every page it visits: axe-core, then a screenshot."""
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, name, readme=readme)


# --- Offline -----------------------------------------------------------------------------------

_network_cut = threading.Event()


@dataclass
class _Slow:
    seconds: float
    answered: bool  # in the end


# Paths whose GET is slow (see ``slow_page``).
_slow_pages: dict[str, _Slow] = {}


def _requested_path(head: bytes) -> str | None:
    """The path a GET request's first bytes ask for (its request line arrives whole)."""
    method, _, rest = head.partition(b" ")
    if method != b"GET":
        return None
    return rest.partition(b" ")[0].decode("latin-1")


# Requests the live server is answering. A test's page closes while a request it sent is
# still being answered (a save as you go, a sync); the database is flushed after the test, and
# a flush meeting that request's transaction fails the next test. ``browser_page`` waits for
# the count to come back to 0 after closing its context.
_in_flight = 0
_in_flight_changed = threading.Condition()


def _count_in_flight(step: int) -> None:
    global _in_flight
    with _in_flight_changed:
        _in_flight += step
        _in_flight_changed.notify_all()


def wait_for_requests_answered(*, seconds: float = 15) -> None:
    """Wait until the live server answers no request (at most ``seconds``)."""
    with _in_flight_changed:
        _in_flight_changed.wait_for(lambda: _in_flight == 0, timeout=seconds)


def _handle_one_request(self) -> None:
    # Wait for the request to arrive before looking at the switch: a kept-alive connection
    # sits here between requests, and the network may be cut in the meantime.
    head = self.rfile.peek(1)
    if not head:  # the connection closed: nothing to answer
        _serve_one_request(self)
        return
    _count_in_flight(1)
    try:
        _answer(self, head)
    finally:
        _count_in_flight(-1)


def _answer(self, head: bytes) -> None:
    slow = _slow_pages.get(_requested_path(head) or "")
    if slow is not None:
        time.sleep(slow.seconds)
        if not slow.answered:
            # Chromium sends a request that died unanswered again, and again: the first
            # try is the slow one, the others die at once.
            slow.seconds = 0
    if _network_cut.is_set() or (slow is not None and not slow.answered):
        # The connection dies with the request unanswered, as on a dead network: the page's
        # fetch rejects (no status code), so nothing is saved on the server.
        self.raw_requestline = b""
        self.close_connection = True
        return
    _serve_one_request(self)


_serve_one_request = WSGIRequestHandler.handle_one_request
WSGIRequestHandler.handle_one_request = _handle_one_request


def wait_until(page, script: str, arg: object = None, *, seconds: float = 15) -> None:
    """Wait until ``script`` (a page function, async ones included) returns a true value.

    ``page.wait_for_function`` takes an async function's promise itself as the true answer
    and returns at once: a wait on the service worker's Cache Storage written with it waited
    for nothing (a flaky test). ``evaluate`` awaits the promise, so this polls with it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {script.strip()[:120]}")
        page.wait_for_timeout(100)


def set_offline(page, offline: bool) -> None:
    """Take the phone off the network, or put it back. Chromium's offline emulation is told
    first; the live server also drops every request while the phone is offline, because the
    emulation is not always in force at once for a page that was just reloaded (seen in CI:
    a reloaded questionnaire page read ``navigator.onLine`` as true and its queued answers
    reached the server). Put back at the end of every browser test whatever happens."""
    if offline:
        _network_cut.set()
        page.context.set_offline(True)
    else:  # the server first: the browser sends what it kept as soon as it is back online
        _network_cut.clear()
        page.context.set_offline(False)


@contextmanager
def slow_page(path: str, *, seconds: float, answered: bool) -> Iterator[None]:
    """A network too slow for ``path``: a GET of it waits ``seconds`` at the live server, then
    is answered or (``answered=False``) dies unanswered, as do its retries. Longer than the
    service worker's 5 s network timeout, the worker falls back to what it kept. Held at the
    server, it is slow whoever asks for it: the page or the service worker."""
    _slow_pages[path] = _Slow(seconds, answered)
    try:
        yield
    finally:
        _slow_pages.pop(path, None)


@pytest.fixture(autouse=True)
def _network_restored() -> Iterator[None]:
    yield
    _network_cut.clear()
    _slow_pages.clear()


def sign_in_staff(page, user) -> None:
    page.goto("/sign-in/")
    check_page(page, "sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/patients/")
    check_page(page, "staff-patients")


def clamshell_item(patient, *, program=None, **dose):
    """An item of ``patient``'s program (a new "Hip strength" one unless given) on the shared
    clamshell ladder of Boren 2011, the library loaded: 2 sets of 10 a side unless ``dose``
    (any other item field) says otherwise. The journeys on a phone start from it."""
    import io

    from django.core.management import call_command

    from apps.exercises.models import Ladder
    from tests.factories import LadderItemFactory, ProgramFactory

    call_command("load_library", stdout=io.StringIO())
    return LadderItemFactory(
        program=program or ProgramFactory(patient=patient, name="Hip strength"),
        ladder=Ladder.objects.get(key="clamshell-boren-2011", clinic=None),
        **{"sets": 2, "reps": 10, "per_side": True} | dose,
    )


def sign_in_patient(page, patient) -> None:
    """Open the personal link, as from the printed QR code, and give the year of birth."""
    from apps.patients.auth import personal_link_path

    page.goto(personal_link_path(patient))
    check_page(page, "patient-link")
    page.get_by_label("Your year of birth").fill(str(patient.year_of_birth))
    page.get_by_role("button", name="Open my exercises").click()
    page.wait_for_url("**/today/")


# --- A real Celery worker (journeys 3 and 4) --------------------------------------------------


@pytest.fixture(scope="module")
def journey_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """``celery -A config worker`` on real Redis (``REDIS_URL``), reading and writing the live
    server's test database, sending email to an SMTP server in this process; one per module,
    stopped at its end so it never consumes another module's tasks. Built from the
    integration suite's harness (``tests/integration/harness.py``)."""
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from config.celery import app as celery_app
    from tests.integration.harness import Inbox, free_port, worker

    need_service("PostgreSQL", settings.IS_POSTGRES, "set DATABASE_URL to a postgres:// URL")
    need_service("Redis", bool(settings.REDIS_URL), "set REDIS_URL")
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    celery_app.control.purge()
    try:
        with worker(redis_url=settings.REDIS_URL, smtp_port=port, tmp=tmp_path_factory.mktemp("w")):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def live_worker(journey_worker, live_server):
    """The module's worker, with the queues declared again: every test starts by clearing the
    cache, which shares the Redis database and so also clears kombu's routing table."""
    from tests.integration.harness import declare_queues

    declare_queues()
    journey_worker.clear()
    return journey_worker
