"""The dashboard and the progress page in real Chromium: charts draw under the content
security policy, nothing fails in the console, and axe-core finds no serious issue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, assert_accessible, browser_page, screenshot
from tests.factories import (
    STAFF_PASSWORD,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.programs.adherence_factories import log_both_sides, log_sets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/patients/")


def watch_console(page):
    """Console errors and uncaught exceptions (a CSP refusal is one); the browser's own
    favicon request is not the page's concern."""
    problems = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def patient_with_history(therapist):
    patient = PatientFactory(therapist=therapist, full_name="Ann Example")
    today = timezone.localdate()
    plan = ProgramFactory(patient=patient, start_date=today - timedelta(days=40))
    ladder = LadderItemFactory(program=plan, sets=2, ladder__name="Clamshell")
    plain = ExerciseItemFactory(program=plan, sets=2, per_side=False)
    for ago in range(0, 40, 2):
        day = today - timedelta(days=ago)
        log_both_sides(ladder, day, 2, reps=8 + (40 - ago) // 4, pain=ago % 8)
        log_sets(plain, day, 1)
    return patient


# A day chart's x-axis: its type and range, the width of one day, the gaps between the
# drawn points of its first data set, and the label of its last tick beside today's date.
DAY_AXIS = """(canvas) => {
  const chart = Chart.getChart(canvas);
  const x = chart.scales.x;
  const data = JSON.parse(document.getElementById('progress-data').textContent);
  const points = chart.getDatasetMeta(0).data.map((p) => p.x);
  const [year, month, day] = data.start.split('-').map(Number);
  const today = new Date(Date.UTC(year, month - 1, day + data.end_x));
  return {
    type: x.type,
    range: [x.min, x.max],
    endX: data.end_x,
    day: x.getPixelForValue(1) - x.getPixelForValue(0),
    gaps: points.slice(1).map((p, i) => p - points[i]),
    lastTick: x.options.ticks.callback(data.end_x),
    today: today.toLocaleDateString(undefined, {day: 'numeric', month: 'short', timeZone: 'UTC'}),
  };
}"""


def test_the_progress_page_draws_its_charts_on_a_phone(phone_page, therapist_a):
    page = phone_page
    patient = patient_with_history(therapist_a)
    problems = watch_console(page)
    sign_in(page, therapist_a)

    page.goto(f"/patients/{patient.public_id}/progress/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-pain')")

    for canvas in ("chart-weeks", "chart-ladder-0", "chart-pain"):
        assert page.evaluate(f"() => Boolean(Chart.getChart('{canvas}'))"), canvas
    # Sets every other day: each day keeps its own width on the axis, so consecutive logs
    # are two days apart, not one slot apart as on the category axis that hid missed days.
    for canvas in ("chart-ladder-0", "chart-pain"):
        axis = page.evaluate(DAY_AXIS, canvas)
        assert axis["type"] == "linear", canvas
        assert axis["gaps"] == pytest.approx([2 * axis["day"]] * len(axis["gaps"]), abs=1), canvas
        assert axis["range"] == [-0.5, axis["endX"] + 0.5], canvas
        assert axis["lastTick"] == axis["today"], canvas
    assert_accessible(page)
    screenshot(page, "progress-phone")
    assert problems == []


def test_the_dashboard_is_accessible_and_sorts(desktop_page, therapist_a):
    page = desktop_page
    patient_with_history(therapist_a)
    PatientFactory(therapist=therapist_a, full_name="Bo Idle")
    problems = watch_console(page)
    sign_in(page, therapist_a)

    page.goto("/dashboard/")
    assert_accessible(page)
    page.get_by_role("link", name="Last 7 days").click()
    page.wait_for_url("**/dashboard/?sort=week")

    first = page.locator("tbody tr th[scope=row]").first
    assert first.inner_text() == "Ann Example"
    screenshot(page, "dashboard-desktop")
    assert problems == []


# The pain chart's alert-level rule and its single point, read from the drawn canvas: how
# many pixels of the rule's row are dark ink, and where the point sits in the plot area.
PAIN_CHART_DRAWN = """() => {
  const chart = Chart.getChart('chart-pain');
  const area = chart.chartArea;
  const ratio = chart.currentDevicePixelRatio;
  const level = JSON.parse(document.getElementById('progress-data').textContent).pain_alert_level;
  const y = Math.floor(chart.scales.y.getPixelForValue(level) * ratio) - 1;
  const left = Math.round(area.left * ratio) + 4;
  const width = Math.round((area.right - area.left) * ratio) - 8;
  // Three rows: a thin line between two pixel rows is shared by both.
  const rows = chart.ctx.getImageData(left, y, width, 3).data;
  let ink = 0;
  for (let x = 0; x < width; x += 1) {
    const dark = [0, 1, 2].some((r) => {
      const i = (r * width + x) * 4;
      return rows[i + 3] > 120 && rows[i] < 90 && rows[i + 1] < 90 && rows[i + 2] < 90;
    });
    if (dark) { ink += 1; }
  }
  const point = chart.getDatasetMeta(0).data[0];
  return {ink: ink / width, pointFromLeft: (point.x - area.left) / (area.right - area.left)};
}"""

# Where a lone day of logs (today) belongs on the charts' axis, which runs from the Monday
# of the program's first week to today with half a day of room at each end: in the middle of
# the plot on a Monday, half a day in from its right edge later in the week.
LONE_DAY_FROM_LEFT = """() => {
  const days = JSON.parse(document.getElementById('progress-data').textContent).end_x + 1;
  return (days - 0.5) / days;
}"""


def test_the_pain_chart_draws_the_alert_level_and_a_single_day_off_the_axes(
    browser, live_server, therapist_a
):
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    today = timezone.localdate()
    plain = ExerciseItemFactory(program=ProgramFactory(patient=patient, start_date=today), sets=2)
    log_sets(plain, today, 1, pain=3)  # one day of logs

    with browser_page(
        browser, live_server, viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    ) as page:
        problems = watch_console(page)
        sign_in(page, therapist_a)
        page.goto(f"/patients/{patient.public_id}/progress/")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-pain')")

        drawn = page.evaluate(PAIN_CHART_DRAWN)
        expected = page.evaluate(LONE_DAY_FROM_LEFT)

    # A dashed rule (6 on, 4 off) inks about 60 % of its row; the lone day sits at its date,
    # off the axes.
    assert drawn["ink"] > 0.4
    assert drawn["pointFromLeft"] == pytest.approx(expected, abs=0.02)
    assert 0.05 < drawn["pointFromLeft"] < 0.95
    assert problems == []


def test_the_ladder_chart_draws_a_single_day_off_the_axes(browser, live_server, therapist_a):
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    today = timezone.localdate()
    ladder = LadderItemFactory(
        program=ProgramFactory(patient=patient, start_date=today), sets=2, ladder__name="Clamshell"
    )
    log_both_sides(ladder, today, 1, reps=10, pain=2)  # one day of logs

    with browser_page(
        browser, live_server, viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    ) as page:
        problems = watch_console(page)
        sign_in(page, therapist_a)
        page.goto(f"/patients/{patient.public_id}/progress/")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-ladder-0')")

        point_from_left = page.evaluate(
            """() => {
              const chart = Chart.getChart('chart-ladder-0');
              const area = chart.chartArea;
              const point = chart.getDatasetMeta(0).data[0];
              return (point.x - area.left) / (area.right - area.left);
            }"""
        )
        expected = page.evaluate(LONE_DAY_FROM_LEFT)

    # Without room at the axis's ends the lone day sat on the y-axis, half hidden by it.
    assert point_from_left == pytest.approx(expected, abs=0.02)
    assert 0.05 < point_from_left < 0.95
    assert problems == []


# Per week of the adherence chart, read from the drawn canvas in the week's slot from the
# axis up: pixels of the bars' colour, and of dark ink (a label).
WEEKS_DRAWN = """() => {
  const chart = Chart.getChart('chart-weeks');
  const ratio = chart.currentDevicePixelRatio;
  const axis = chart.scales.y.getPixelForValue(0);
  const slot = (chart.chartArea.right - chart.chartArea.left) / chart.data.labels.length;
  return chart.getDatasetMeta(0).data.map((bar) => {
    const left = Math.round((bar.x - slot / 3) * ratio);
    const width = Math.round((slot * 2 / 3) * ratio);
    const top = Math.round((axis - 40) * ratio);
    const height = Math.round(40 * ratio) - 1;
    const px = chart.ctx.getImageData(left, top, width, height).data;
    let bar_ = 0, ink = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 120) continue;
      const [r, g, b] = [px[i], px[i + 1], px[i + 2]];
      if (Math.abs(r - 11) < 30 && Math.abs(g - 94) < 30 && Math.abs(b - 107) < 30) bar_ += 1;
      else if (r < 80 && g < 80 && b < 80) ink += 1;
    }
    return {bar: bar_, ink: ink};
  });
}"""


def test_a_week_at_0_percent_is_drawn_apart_from_a_week_with_nothing_prescribed(
    browser, live_server, therapist_a
):
    """0 % drawn as a bar of height 0 was nothing at all: the week looked like one with
    nothing due. It is a thin bar on the axis with "0 %" over it; a week with nothing
    prescribed stays empty."""
    patient = PatientFactory(therapist=therapist_a, full_name="Ann Example")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=3)
    first = ProgramFactory(patient=patient, start_date=monday, end_date=monday + timedelta(13))
    item = ExerciseItemFactory(program=first, sets=2, per_side=False)
    for day in range(7):
        log_sets(item, monday + timedelta(days=day), 1)  # week 1: half done; week 2: none
    # Week 3: nothing prescribed; this week: a second program, its sets all done.
    later = ProgramFactory(patient=patient, start_date=monday + timedelta(weeks=3))
    again = ExerciseItemFactory(program=later, sets=1, per_side=False)
    for day in range(today.weekday() + 1):
        log_sets(again, monday + timedelta(weeks=3, days=day), 1)

    with browser_page(
        browser, live_server, viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    ) as page:
        problems = watch_console(page)
        sign_in(page, therapist_a)
        page.goto(f"/patients/{patient.public_id}/progress/")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-weeks')")
        percents = page.evaluate(
            "() => Chart.getChart('chart-weeks').data.datasets[0].data.map((v) => v)"
        )
        drawn = page.evaluate(WEEKS_DRAWN)
        tooltip = page.evaluate(
            "() => Chart.getChart('chart-weeks').options.plugins.tooltip.callbacks"
            ".label({parsed: {y: 57}})"
        )
        page.locator("#chart-weeks").screenshot(path=str(ARTIFACTS / "progress-weeks-zero.png"))

    assert percents == [50, 0, None, 100]
    half, zero, nothing, full = drawn
    assert half["bar"] > 100
    assert full["bar"] > 100
    assert zero["bar"] > 10, drawn  # a thin bar on the axis
    assert zero["ink"] > 10, drawn  # its "0 %"
    assert nothing == {"bar": 0, "ink": 0}, drawn
    assert tooltip == "Adherence: 57 %"  # as the table under it writes it
    assert problems == []
