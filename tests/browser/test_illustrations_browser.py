"""The drawn illustrations in Chromium: they load under the site's CSP on the exercise page,
loop gently unless the visitor asks for less motion, enlarge on a tap on the phone, and show
on the Today page offline (the service worker kept them)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.exercises.illustrations import illustration_version, specs
from apps.exercises.models import Exercise
from apps.patients.auth import personal_link_path
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    assert_accessible,
    browser,
    desktop_page,
    phone_page,
    screenshot,
    set_offline,
    wait_until,
    watch_errors,
)
from tests.factories import STAFF_PASSWORD, ExerciseItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOADED = "img => img.complete && img.naturalWidth > 0"


@pytest.fixture
def loaded(transactional_db):
    call_command("load_library", stdout=io.StringIO())


def test_the_exercise_page_shows_the_pair_under_the_sites_csp(desktop_page, therapist_a, loaded):  # noqa: F811
    page = desktop_page
    errors = watch_errors(page)
    csp_violations: list[str] = []
    page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security" in m.text else None
    )
    page.emulate_media(reduced_motion="reduce")
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(therapist_a.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    clam = Exercise.objects.get(key="clam-1", clinic=None)

    page.goto(f"/library/exercises/{clam.public_id}/")
    pair = page.locator("img.illustration-pair")
    pair.wait_for()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('img.illustration-pair'))")
    assert pair.get_attribute("alt").startswith("Drawing of Clam. Start: Lie on your side")
    assert_accessible(page)
    pair.scroll_into_view_if_needed()
    screenshot(page, "exercise-illustration", readme="exercise-illustration")

    page.goto("/library/")
    # Thumbnails load lazily: those on the first screen are there.
    page.wait_for_function(
        f"() => [...document.querySelectorAll('img.illustration-thumb')].slice(0, 3)"
        f".every({LOADED})"
    )
    assert page.locator("img.illustration-thumb").count() == 22
    screenshot(page, "library-thumbnails")
    assert errors == []
    assert csp_violations == []


def test_every_drawing_side_by_side(desktop_page, live_server):  # noqa: F811
    """A contact sheet of all 22 pairs, for the README and for a clinician's review."""
    page = desktop_page
    version = illustration_version()
    images = "".join(
        f'<figure><img src="/illustrations/{key}/pair.svg?v={version}" '
        f'alt="{key}"><figcaption>{key}</figcaption></figure>'
        for key in specs()
    )
    sheet = (
        "<!doctype html><title>Drawings</title><style>body{margin:8px;font:13px sans-serif;"
        "display:grid;grid-template-columns:repeat(4,1fr);gap:8px}figure{margin:0}"
        f"img{{width:100%}}</style>{images}"
    )
    # A page of the test's own on the site's origin (the drawings are same-origin resources).
    url = f"{live_server.url}/__contact-sheet__"
    page.route(url, lambda route: route.fulfill(body=sheet, content_type="text/html"))
    page.emulate_media(reduced_motion="reduce")
    page.goto(url)
    page.wait_for_function(f"() => [...document.images].every({LOADED})")
    assert page.locator("img").count() == 22
    screenshot(page, "illustrations-all", readme="illustrations-all")


def test_the_loop_runs_only_for_visitors_who_welcome_motion(desktop_page, live_server):  # noqa: F811
    page = desktop_page
    version = illustration_version()
    moving = "getComputedStyle(document.querySelector('.panel-end .layer-moving')).animationName"

    page.emulate_media(reduced_motion="no-preference")
    page.goto(f"{live_server.url}/illustrations/clam-1/loop.svg?v={version}")
    assert page.evaluate(moving) == "pose-end"
    page.goto(f"{live_server.url}/illustrations/clam-1/pair.svg?v={version}")
    assert page.evaluate(moving) == "none"  # the still pair never moves

    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/illustrations/clam-1/loop.svg?v={version}")
    assert page.evaluate(moving) == "none"


def test_the_page_offers_the_loop_only_without_a_reduced_motion_request(
    desktop_page,  # noqa: F811
    therapist_a,
    loaded,
):
    page = desktop_page
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(therapist_a.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    clam = Exercise.objects.get(key="clam-1", clinic=None)
    shown = "document.querySelector('img.illustration-pair').currentSrc"

    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/library/exercises/{clam.public_id}/")
    assert "/clam-1/pair.svg" in page.evaluate(shown)

    page.emulate_media(reduced_motion="no-preference")
    page.reload()
    assert "/clam-1/loop.svg" in page.evaluate(shown)


def test_today_shows_the_pictures_offline_and_enlarges_them_on_a_phone(
    phone_page,  # noqa: F811
    patient_a,
    loaded,
):
    program = ProgramFactory(patient=patient_a)
    for key in ("clam-2", "fire-hydrant"):
        ExerciseItemFactory(program=program, exercise=Exercise.objects.get(key=key, clinic=None))
    page = phone_page
    page.goto(personal_link_path(patient_a))
    page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
    page.get_by_role("button", name="Open my exercises").click()
    page.wait_for_url("**/today/")
    assert_accessible(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The worker has the page and every picture it names (the pair, its looping version and
    # the stacked one shown enlarged) before the phone goes offline.
    wait_until(
        page,
        """async () => {
          const figures = document.querySelectorAll('[data-illustration]');
          const urls = [...figures].flatMap(f => [
            ...[...f.querySelectorAll('img')].map(i => i.src),
            ...[...f.querySelectorAll('source')].map(s => new URL(s.srcset, location).href),
          ]);
          const hits = await Promise.all(urls.map(u => caches.match(u)));
          return figures.length === 2 && urls.length === 6 && hits.every(Boolean);
        }""",
    )

    set_offline(page, True)
    page.reload()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('img.illustration-pair')].every({LOADED})"
    )
    assert page.locator("img.illustration-pair").count() == 2
    screenshot(page, "today-illustrations-offline", readme="today-illustrations")

    first = page.locator("[data-illustration]").first
    first.get_by_role("button", name="Tap to enlarge").click()
    assert "is-enlarged" in first.get_attribute("class")
    # Upright phone: the stacked version (start above end) shows, from the worker's cache.
    # It loads lazily, only once shown, and has no size until it has loaded: wait for that
    # before looking at it.
    stacked = first.locator("img.illustration-stacked")
    page.wait_for_function(
        f"() => ({LOADED})(document.querySelector('.is-enlarged img.illustration-stacked'))"
    )
    assert stacked.is_visible()
    assert stacked.bounding_box()["height"] > 400
    others = page.locator("[data-illustration]:not(.is-enlarged) img.illustration-stacked")
    assert [o.is_visible() for o in others.all()] == [False]
    assert first.get_by_role("button").get_attribute("aria-expanded") == "true"
    screenshot(page, "today-illustration-enlarged")
    page.keyboard.press("Escape")
    assert "is-enlarged" not in first.get_attribute("class")
    set_offline(page, False)
