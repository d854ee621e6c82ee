"""Journey 5 in a real browser: an admin views the report, downloads it, and follows a large
one through the background job to its download link."""

from datetime import date

import pytest

from apps.reports import tasks
from apps.reports.models import ReportJob

# The browser fixtures live in tests/browser/conftest.py; importing them makes them usable here.
from tests.browser.conftest import (  # noqa: F401
    assert_accessible,
    browser,
    desktop_page,
    screenshot,
)
from tests.factories import STAFF_PASSWORD, ExerciseItemFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clinic_with_logs(patient_a):
    today = patient_a.local_today()
    program = ProgramFactory(patient=patient_a, name="Hip strength", start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program, sets=2, per_side=False)
    SetLogFactory(item=item, performed_on=today)
    SetLogFactory(item=item, performed_on=today)
    return patient_a


def _sign_in(page, user):
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_an_admin_views_downloads_and_follows_a_background_report(
    desktop_page,  # noqa: F811  (the imported fixture)
    admin_a,
    clinic_with_logs,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = str(tmp_path)
    page = desktop_page
    _sign_in(page, admin_a)
    page.goto("/reports/adherence/")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_url("**/reports/adherence/?*")
    assert page.get_by_role("rowheader", name="Ann A").is_visible()
    assert_accessible(page)
    screenshot(page, "report-adherence")

    with page.expect_download() as csv_download:
        page.get_by_role("button", name="CSV", exact=True).click()
    assert csv_download.value.suggested_filename.endswith(".csv")

    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 0}
    page.get_by_role("button", name="Excel").click()
    page.wait_for_url("**/reports/jobs/*/")
    assert page.locator("progress").is_visible()
    assert_accessible(page)
    tasks.run_report_job(ReportJob.objects.get().pk)
    link = page.get_by_role("link", name="Download the report")
    link.wait_for(timeout=10_000)  # the page polls every 2 seconds
    screenshot(page, "report-job-ready")
    with page.expect_download() as xlsx_download:
        link.click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
