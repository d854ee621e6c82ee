"""The patient's pages (sign-in, Today, a set's correction, two questionnaires, History,
Reminders) on the narrowest phone the design names (360 px), and with the text doubled (and
Today on a 320 px phone with doubled text, and with its exercises finished):
nothing is wider than the screen (no sideways scrolling to reach a log button), every button
and field is at least 24 px each way (WCAG 2.2 target size), and no field hides part of what
it holds."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.exercises.models import Exercise, Ladder
from apps.outcomes.services import measures_set
from apps.patients.auth import personal_link_path
from apps.programs.logs import set_log_record
from apps.programs.models import SetLog
from tests.browser.conftest import assert_accessible, browser_page, screenshot, watch_errors
from tests.factories import ExerciseItemFactory, LadderItemFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True}

# Whatever is wider than the viewport, and every control smaller than 24 x 24 px, on the page.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const at = (el) => {
    const r = el.getBoundingClientRect();
    const x = `${Math.round(r.left)}-${Math.round(r.right)}`;
    return `${el.tagName}#${el.id}.${el.className} x ${x} y ${Math.round(r.top + scrollY)}`;
  };
  // A control out of sight, out of the tab order and hidden from screen readers (Today's
  // button for Enter, which logs the due side) is no target anyone can touch.
  const unreachable = (el) => el.getAttribute("aria-hidden") === "true" && el.tabIndex < 0;
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null && el.type !== "hidden" && !unreachable(el));
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1).map(at);
  const controls = "main button, main input, main select, main textarea, main a.button";
  const small = shown(controls)
    // A radio or checkbox is tapped through its label (the pain scale hides the circles).
    .map((el) => ["radio", "checkbox"].includes(el.type) && el.closest("label") || el)
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width < 24 || r.height < 24;
    }).map(at);
  // A field too narrow for what it holds (the reps count) hides part of the number.
  const clipped = shown("main input:not([type=radio]):not([type=checkbox])")
    .filter((el) => el.scrollWidth > el.clientWidth + 1).map(at);
  return {scroll: document.documentElement.scrollWidth, width, wide, small, clipped};
}"""


# The words of each exercise's title that are split over two lines ("Glu" / "teal").
BROKEN_TITLE_WORDS = """() => [...document.querySelectorAll(".exercise h2")].flatMap((h2) => {
  const text = h2.firstChild;
  return [...text.textContent.matchAll(/\\S+/g)].filter((word) => {
    const range = document.createRange();
    range.setStart(text, word.index);
    range.setEnd(text, word.index + word[0].length);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
  }).map((word) => word[0]);
})"""


# The words of a box's text split over two lines ("comfortabl" / "e") though a line of the
# text around the box (its parent's) would hold them: the box's own indent must not cut them.
BROKEN_WORDS = """(selector) => [...document.querySelectorAll(selector)].flatMap((box) => {
  const around = box.parentElement;
  const style = getComputedStyle(around);
  const room = around.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const texts = [...box.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
  return texts.flatMap((text) => [...text.textContent.matchAll(/\\S+/g)].filter((word) => {
    const range = document.createRange();
    range.setStart(text, word.index);
    range.setEnd(text, word.index + word[0].length);
    const rects = [...range.getClientRects()];
    const width = rects.reduce((sum, r) => sum + r.width, 0);
    return new Set(rects.map((r) => Math.round(r.top))).size > 1 && width <= room;
  }).map((word) => word[0]));
})"""

DOUBLED_TEXT = (
    "document.addEventListener('DOMContentLoaded', () => "
    "{ document.documentElement.style.fontSize = '200%'; });"
)


@pytest.fixture
def narrow_page(browser, live_server):
    with browser_page(browser, live_server, **NARROW) as page:
        yield page


@pytest.fixture
def program(patient_a, server_clock):
    """The real library's clamshell ladder (the longest names and cues) and a hold."""
    call_command("load_library", stdout=io.StringIO())
    program = ProgramFactory(
        patient=patient_a,
        name="Hip strength after a long day at work",
        start_date=patient_a.local_today(),
    )
    LadderItemFactory(
        program=program, ladder=Ladder.objects.get(key="clamshell-boren-2011"), sets=2,
        reps=12, per_side=True, position=0,
    )  # fmt: skip
    ExerciseItemFactory(
        program=program, exercise=Exercise.objects.get(key="gluteal-squeeze"), sets=1,
        reps=None, hold_seconds=5, per_side=False, position=1,
    )  # fmt: skip
    measures_set(user=program.patient.therapist, program=program, instruments=["nprs", "psfs"])
    return program


def fits(page, name: str) -> None:
    page.wait_for_load_state()
    measured = page.evaluate(MEASURE)
    screenshot(page, name)
    assert measured["scroll"] <= measured["width"], (name, measured["wide"][:10])
    assert measured["small"] == [], (name, measured["small"])
    assert measured["clipped"] == [], (name, measured["clipped"])


@pytest.mark.parametrize("text_scale", [1, 2], ids=["text-100", "text-200"])
def test_every_patient_page_fits_a_360px_phone(
    narrow_page, patient_a, program, text_scale, server_clock
):
    page = narrow_page
    errors = watch_errors(page)
    # As a phone's "large text" setting does: every rem and em grows with the root size.
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => "
        f"{{ document.documentElement.style.fontSize = '{100 * text_scale}%'; }});"
    )
    suffix = f"narrow-{text_scale}x"
    page.goto(personal_link_path(patient_a))
    fits(page, f"{suffix}-sign-in")
    page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
    page.get_by_role("button", name="Open my exercises").tap()
    page.wait_for_url("**/today/")

    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    fits(page, f"{suffix}-today")
    clam = page.locator("article.exercise").first
    # Pain 8: the card then shows the stop-for-today advice, which must be readable too.
    clam.locator(".pain-option span", has_text=re.compile(r"^8$")).tap()
    clam.get_by_role("button", name=re.compile("Log left set")).tap()
    page.locator("#sync-status").filter(has_text="All your sets are saved").wait_for()
    page.reload()
    expect(clam.locator("[data-pain-advice]")).to_contain_text("Stop this exercise for today")
    fits(page, f"{suffix}-today-pain-advice")
    page.locator(".change-link").first.tap()
    page.get_by_role("heading", name="Change a set").wait_for()
    fits(page, f"{suffix}-change-a-set")
    # Today's own pain buttons, the set's 8 chosen: a tap corrects it (a mis-tap, say).
    expect(page.get_by_role("radio", name="8")).to_be_checked()
    page.locator(".pain-option span", has_text=re.compile(r"^2$")).tap()
    page.get_by_role("button", name="Save the change").tap()
    expect(page.get_by_text("Set corrected.")).to_be_visible()
    assert SetLog.objects.get().pain == 2
    for instrument, button in (("nprs", "Your hip pain this week"), ("psfs", "Things your hip")):
        page.goto("/today/")
        page.get_by_role("link", name=re.compile(f"^{button}")).tap()
        page.wait_for_url("**/today/questionnaires/**")
        fits(page, f"{suffix}-{instrument}")
    page.goto("/today/")
    page.get_by_role("link", name="History", exact=True).tap()
    page.wait_for_url("**/history/")
    fits(page, f"{suffix}-history")
    page.get_by_role("link", name="Reminders", exact=True).tap()
    page.wait_for_url("**/reminders/")
    fits(page, f"{suffix}-reminders")
    if text_scale == 1:
        assert_accessible(page)

    # The next morning Today asks how the hip is compared with before yesterday's exercises.
    server_clock.shift(timedelta(days=1))
    page.goto("/today/")
    expect(page.get_by_role("heading", name="How is your hip today?")).to_be_visible()
    fits(page, f"{suffix}-morning-check")
    assert errors == []


def test_today_fits_a_320px_phone_with_doubled_text(browser, live_server, patient_a, program):
    """320 px is narrower than the design names, but phones that narrow are still in use with
    large text: a long exercise name ("Side-lying leg raise (hip abduction)") must wrap inside
    its card rather than push the page sideways."""
    ExerciseItemFactory(
        program=program, exercise=Exercise.objects.get(key="side-lying-hip-abduction"),
        sets=2, reps=10, reps_up_to=20, per_side=True, position=2,
    )  # fmt: skip
    tiny = {**NARROW, "viewport": {"width": 320, "height": 640}}
    with browser_page(browser, live_server, **tiny) as page:
        page.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => "
            "{ document.documentElement.style.fontSize = '200%'; });"
        )
        page.goto(personal_link_path(patient_a))
        page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
        page.get_by_role("button", name="Open my exercises").tap()
        page.wait_for_url("**/today/")
        expect(
            page.get_by_role("heading", name="Side-lying leg raise (hip abduction)")
        ).to_be_visible()

        fits(page, "narrow-320-2x-today")


def test_finished_exercises_fit_a_360px_phone_with_doubled_text(narrow_page, patient_a, program):
    """A finished card has its "Done" badge beside the title: with doubled text the two did
    not fit side by side. The badge goes under the title, which keeps its words whole."""
    for item in program.items.all():
        for side in ("left", "right") if item.per_side else ("both",):
            for _ in range(item.sets):
                set_log_record(
                    patient=patient_a, item=item, client_id=uuid.uuid4(),
                    performed_on=patient_a.local_today(), side=side, reps=item.reps,
                    hold_seconds=None if item.reps else item.hold_seconds, pain=2, difficulty=3,
                )  # fmt: skip
    page = narrow_page
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => "
        "{ document.documentElement.style.fontSize = '200%'; });"
    )
    page.goto(personal_link_path(patient_a))
    page.get_by_label("Your year of birth").fill(str(patient_a.year_of_birth))
    page.get_by_role("button", name="Open my exercises").tap()
    page.wait_for_url("**/today/")
    expect(page.locator("article.exercise.is-complete")).to_have_count(2)
    expect(page.locator("[data-item-complete]:visible")).to_have_count(2)

    fits(page, "narrow-2x-today-finished")
    assert page.evaluate(BROKEN_TITLE_WORDS) == []


def _signed_in_with_doubled_text(page, patient) -> None:
    page.add_init_script(DOUBLED_TEXT)
    page.goto(personal_link_path(patient))
    page.get_by_label("Your year of birth").fill(str(patient.year_of_birth))
    page.get_by_role("button", name="Open my exercises").tap()
    page.wait_for_url("**/today/")


def test_a_long_word_in_a_psfs_activity_keeps_the_rating_grid_on_the_card(
    narrow_page, patient_a, program
):
    """A fieldset is as wide as its legend's longest word by default: an activity named
    "Running/jogging/hiking" widened the rating's fieldset past the card, and the 0-10 grid's
    right column was cut off the screen."""
    page = narrow_page
    _signed_in_with_doubled_text(page, patient_a)
    page.get_by_role("link", name=re.compile("^Things your hip")).tap()
    page.wait_for_url("**/today/questionnaires/**")
    page.get_by_label("Activity 1", exact=True).fill("Running/jogging/hiking")
    expect(page.locator('fieldset[data-key="activity_1"] legend')).to_have_text(
        "Activity 1: Running/jogging/hiking"
    )

    measured = page.evaluate(MEASURE)
    screenshot(page, "narrow-2x-psfs-long-activity")
    assert measured["scroll"] <= measured["width"], measured["wide"][:10]
    assert measured["small"] == []
    # The typed name itself is longer than its box, and scrolls inside it as in any text box.
    assert [field for field in measured["clipped"] if "#name_1." not in field] == []
    card = page.locator("#questionnaire").bounding_box()
    ten = page.locator('fieldset[data-key="activity_1"] .pain-option').last.bounding_box()
    assert card is not None
    assert ten is not None
    assert ten["x"] + ten["width"] <= card["x"] + card["width"]


def test_the_caution_box_keeps_its_words_whole_with_doubled_text(narrow_page, patient_a, program):
    """ "Stay within a comfortable range" was cut "comfortabl" / "e range": the box's indent
    grew with the text and left the word 2 px too little room."""
    page = narrow_page
    _signed_in_with_doubled_text(page, patient_a)
    expect(page.locator(".caution").first).to_contain_text("comfortable")

    assert page.evaluate(BROKEN_WORDS, ".caution") == []
    fits(page, "narrow-2x-today-caution")
