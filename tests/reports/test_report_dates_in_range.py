"""A report's dates run from 2000 to 2999, as the audit log's do: a year 1, 1900 or 9999 is a
typing slip (a year typed into the date picker's first digits), refused on its field on the
page, in the downloads and in the API, with nothing downloaded, queued or audited as an
export. It used to show an empty report of the year 1 as if there were simply no data."""

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.reports.models import ReportJob
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

MESSAGE = "Give a date from 2000 to 2999."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "0001-01-31", "start"),
        ("1999-12-31", "2000-01-31", "start"),
        ("2026-02-01", "3000-01-01", "end"),
        ("9999-12-30", "9999-12-31", "start"),
    ],
)
def test_a_date_out_of_range_is_refused_on_its_field(admin_a, start, end, field):
    client = signed_in(admin_a)
    period = {"start": start, "end": end}

    page = client.get("/reports/adherence/", period)
    download = client.post("/reports/adherence/", {**period, "format": "csv"})  # its downloads
    api = client.post(
        "/api/v1/reports/jobs/", {**period, "format": "csv"}, content_type="application/json"
    )

    assert page.status_code == 400
    assert page.context["form"].errors[field] == [MESSAGE]
    assert download.status_code == 400
    assert download["Content-Type"].startswith("text/html")
    assert api.status_code == 400
    assert api.json()["errors"][field] == [MESSAGE]
    assert not ReportJob.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_first_and_last_days_allowed_are_taken(admin_a):
    client = signed_in(admin_a)

    assert (
        client.get("/reports/adherence/", {"start": "2000-01-01", "end": "2000-01-31"}).status_code
        == 200
    )
    assert (
        client.get("/reports/adherence/", {"start": "2999-12-01", "end": "2999-12-31"}).status_code
        == 200
    )
