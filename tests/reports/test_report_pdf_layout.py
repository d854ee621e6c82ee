"""The PDF reads like a report (issue 20, item 4): title, period, clinic, totals, chart, then
patients, the header repeated on every page and no patient's row split across two pages."""

import re
from datetime import UTC, date, datetime
from io import BytesIO

from pypdf import PdfReader

from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.pdf_format import summary_pdf
from apps.reports.exports.report import AdherenceReport, PatientRow

LONG_PROGRAMS = "Hip strength after surgery, clamshell ladder and balance work for the weekend"


def _report(patients: int) -> AdherenceReport:
    rows = [
        PatientRow(
            patient=f"Patient Number{n:03d} With A Long Family Name",
            therapist=f"Therapist {n % 3}",
            therapist_key=n % 3,
            programs=LONG_PROGRAMS,
            scheduled_days=20,
            prescribed=80,
            completed=40 + n % 40,
            active_days=12,
            complete_days=5,
            last_activity=date(2026, 11, 3),
            pain_sum=30,
            pain_count=12,
            max_pain=6,
            progressions=1,
        )
        for n in range(patients)
    ]
    filters = ReportFilters(clinic_id=1, start=date(2026, 11, 1), end=date(2026, 11, 30))
    return AdherenceReport(
        filters=filters,
        clinic_name="Riverside Physiotherapy",
        generated_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        rows=rows,
    )


def _pages(report: AdherenceReport) -> list[str]:
    out = BytesIO()
    summary_pdf(report, out)
    return [page.extract_text() for page in PdfReader(BytesIO(out.getvalue())).pages]


def test_the_first_page_reads_title_period_clinic_totals_then_chart(settings):
    settings.LANGUAGE_CODE = "en-gb"
    first = _pages(_report(3))[0]

    order = [
        "Adherence report\n",
        "Period: 1 Nov 2026 to 30 Nov 2026",
        "Clinic: Riverside Physiotherapy",
        "Totals",
        "Clinic total",
        "Adherence % per therapist",
    ]
    positions = [first.index(text) for text in order]
    assert positions == sorted(positions)
    assert "2026-11" not in first


def test_the_report_says_when_it_was_prepared_in_the_clinics_own_time(settings):
    # 09:00 UTC on 1 December is 20:00 in Sydney (summer time, UTC+11), not "09:00 UTC".
    settings.LANGUAGE_CODE = "en-gb"
    report = _report(1)
    report.clinic_time_zone = "Australia/Sydney"

    first = _pages(report)[0]

    assert "Prepared: 1 Dec 2026, 20:00 (Australia/Sydney)" in first
    assert "UTC" not in first


def test_a_long_patient_list_repeats_its_header_and_never_splits_a_row():
    pages = _pages(_report(90))

    # Names and programs wrap where the font's widths say: only the words are checked.
    patient_pages = [page for page in pages if re.search(r"Number\d{3}", page)]
    assert len(patient_pages) >= 3
    for page in patient_pages:
        assert "Patient\nTherapist\nPrograms" in page, "the header is on every page"
        assert re.search(r"Page \d+", page)
    for n in range(90):
        name = f"Number{n:03d}"
        (page,) = [page for page in patient_pages if name in page]
        after = page[page.index(name) + len(name) :]
        row = re.split(r"Number\d{3}", after)[0]
        # The row's wrapped name, its long program list and its last cells share the page.
        assert "Family" in row, name
        assert "Name" in row, name
        assert "weekend" in row, name
        assert "3 Nov 2026" in row, name


def test_dates_follow_the_locale_setting(settings):
    settings.LANGUAGE_CODE = "en-us"

    first = _pages(_report(1))[0]

    assert "Period: Nov. 1, 2026 to Nov. 30, 2026" in first


def test_names_outside_latin_1_print_as_typed(settings):
    # Helvetica, reportlab's built-in font, has no "Ł" or "ő": they printed as black boxes.
    settings.LANGUAGE_CODE = "en-gb"
    report = _report(2)
    report.rows[0].patient = "Łukasz Żak"
    report.rows[1].therapist = "Zsófia Kővári"
    report.clinic_name = "Fizjoterapia Łódź"

    text = "\n".join(_pages(report))

    assert "Łukasz Żak" in text
    assert "Zsófia Kővári" in text
    assert "Fizjoterapia Łódź" in text
    assert "\u25a0" not in text
