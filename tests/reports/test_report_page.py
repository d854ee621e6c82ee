"""The adherence report page: who may see it, input checks, fixed query count."""

import re
from datetime import date

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.reports.exports.report import TOTAL_COLUMNS
from apps.reports.models import ReportJob
from tests.conftest import signed_in
from tests.drawn_form import form_saying
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory

pytestmark = pytest.mark.django_db

PAGE = "/reports/adherence/"
EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
PERIOD = {"start": "2026-02-01", "end": "2026-02-07"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


def _patients(therapist, count):
    for n in range(count):
        patient = PatientFactory(therapist=therapist, full_name=f"Patient {n:03}")
        program = ProgramFactory(patient=patient, start_date=date(2026, 1, 1))
        item = ExerciseItemFactory(program=program)
        SetLogFactory(item=item, performed_on=date(2026, 2, 2), side="left")


def test_it_shows_the_form_for_the_last_30_days_by_default(admin_a):
    response = signed_in(admin_a).get(PAGE)

    assert response.status_code == 200
    assert response.context["form"].initial == {
        "start": date(2026, 1, 12),
        "end": date(2026, 2, 10),
    }
    assert "page" not in response.context


def test_a_therapist_can_neither_see_nor_download_the_clinic_report(therapist_a, patient_a):
    client = signed_in(therapist_a)

    assert client.get(PAGE, PERIOD).status_code == 403
    for fmt in ("csv", "xlsx", "pdf"):
        assert client.post(EXPORT, {**PERIOD, "format": fmt}).status_code == 403
    assert client.post(EXPORT, {**PERIOD, "format": "csv", "kind": "detail"}).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_a_patient_can_neither_see_nor_download_the_report(patient_a):
    client = signed_in(patient_a.user)

    assert client.get(PAGE).status_code == 403
    assert client.post(EXPORT, {**PERIOD, "format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-07", "end": "2026-02-01"}, b"on or after the start date"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, b"at most 1096 days"),
        ({"start": "2026-02-31", "end": "2026-03-01"}, b"Enter a valid date"),
        ({"start": "2026-02-01"}, b"This field is required"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(admin_a, query, message):
    client = signed_in(admin_a)

    page = client.get(PAGE, query)
    export = client.post(EXPORT, {**query, "format": "csv"})

    assert (page.status_code, export.status_code) == (400, 400)
    assert message in page.content
    assert message in export.content


def test_an_unknown_format_or_another_clinics_therapist_is_a_400_in_plain_words(
    admin_a, therapist_b
):
    client = signed_in(admin_a)

    bad_format = client.post(EXPORT, {**PERIOD, "format": "docx"})
    foreign = client.get(PAGE, {**PERIOD, "therapist": str(therapist_b.public_id)})
    garbled = client.post(EXPORT, {**PERIOD, "format": "csv", "therapist": "not-an-id"})

    assert bad_format.status_code == 400
    assert b"Choose CSV, Excel or PDF." in bad_format.content
    for refused in (foreign, garbled):
        assert refused.status_code == 400
        assert b"Choose a therapist from the list." in refused.content
    for refused in (bad_format, foreign, garbled):
        assert b"Select a valid choice" not in refused.content


def test_the_totals_on_the_page_have_the_columns_of_the_downloads(admin_a, therapist_a):
    _patients(therapist_a, 2)

    page = signed_in(admin_a).get(PAGE, PERIOD).content.decode()

    table = page.split('id="totals-heading"', 1)[1].split("</table>", 1)[0]
    head = table.split("<thead>", 1)[1].split("</thead>", 1)[0]
    headers = [cell.split(">", 1)[1].split("<", 1)[0] for cell in head.split("<th")[1:]]
    files = [column.header.replace("Adherence %", "Adherence") for column in TOTAL_COLUMNS]
    assert headers == files
    body = table.split("<tbody>", 1)[1]
    first = " ".join(re.sub(r"<[^>]+>", " ", body.split("</tr>", 1)[0]).split())
    # 2 patients with a program every day: 7 scheduled days each (1 to 7 Feb), one set logged
    # on 2 Feb by each, so 2 active days, last activity 2 Feb, as in the CSV's totals.
    assert first == f"{therapist_a.full_name} 2 14 56 2 3.6 % 2 0 2 Feb 2026 2.0 2 0"


def test_the_page_uses_a_fixed_number_of_queries(
    admin_a, therapist_a, django_assert_max_num_queries
):
    client = signed_in(admin_a)
    _patients(therapist_a, 2)
    with django_assert_max_num_queries(30) as few:
        client.get(PAGE, PERIOD)
    _patients(therapist_a, 12)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE, PERIOD)

    assert len(response.context["page"].report.rows) == 14


def test_every_download_uses_a_fixed_number_of_queries(
    admin_a, therapist_a, django_assert_max_num_queries
):
    client = signed_in(admin_a)
    _patients(therapist_a, 2)
    for fmt in ("csv", "xlsx", "pdf"):
        with django_assert_max_num_queries(30) as few:
            b"".join(client.post(EXPORT, {**PERIOD, "format": fmt}))
        counts = len(few.captured_queries)
        _patients(therapist_a, 5)
        with django_assert_max_num_queries(counts):
            b"".join(client.post(EXPORT, {**PERIOD, "format": fmt}))


def test_viewing_the_report_is_audited_once_without_health_data(admin_a, therapist_a):
    _patients(therapist_a, 3)

    signed_in(admin_a).get(PAGE, PERIOD)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.detail) == (Action.VIEW, "adherence report 2026-02-01..2026-02-07")


def test_each_download_is_audited_once(admin_a, therapist_a):
    _patients(therapist_a, 3)
    client = signed_in(admin_a)

    for fmt in ("csv", "xlsx", "pdf"):
        b"".join(
            client.post(EXPORT, {**PERIOD, "format": fmt, "therapist": str(therapist_a.public_id)})
        )

    details = list(AuditEntry.objects.order_by("sequence").values_list("action", "detail"))
    assert details == [
        (Action.EXPORT, f"adherence {fmt} 2026-02-01..2026-02-07 therapist {therapist_a.public_id}")
        for fmt in ("csv", "xlsx", "pdf")
    ]


def test_a_report_too_large_for_the_page_offers_background_downloads(
    admin_a, therapist_a, settings
):
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 2}
    _patients(therapist_a, 3)

    response = signed_in(admin_a).get(PAGE, PERIOD)

    assert response.status_code == 200
    assert response.context["page"].report is None
    assert b"3 patients and 3 logged sets" in response.content
    assert b"Patient 000" not in response.content
    assert not ReportJob.objects.exists(), "looking at the page queues nothing"


def test_a_refused_download_opened_again_shows_the_report_of_its_period(admin_a, therapist_a):
    # The downloads are posted to the report's own address (its period in the query): a
    # refusal opened again (reloaded, from the history) is the report, never an empty 405.
    _patients(therapist_a, 1)
    client = signed_in(admin_a)
    form = form_saying(client.get(PAGE, PERIOD).text, "Excel")

    refused = client.post(form.action, form.values | {"format": "docx"})
    again = client.get(form.action)

    assert refused.status_code == 400
    assert b"Choose CSV, Excel or PDF." in refused.content
    assert again.status_code == 200
    assert again.context["page"].filters.describe() == "2026-02-01..2026-02-07"
    assert form_saying(again.text, "Excel").action == form.action
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
