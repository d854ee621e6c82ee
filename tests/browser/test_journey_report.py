"""Journey 5, report: a clinic admin picks the week, looks at the adherence report and
downloads it as CSV and as Excel; both files carry the numbers worked out by hand from what
the patients logged (``tests/browser/world.py``)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import check_page, sign_in_staff, watch_errors
from tests.browser.world import Expected, clinic_week, expected, london_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = (
    "Scheduled days",
    "Prescribed sets",
    "Completed sets",
    "Adherence %",
    "Active days",
    "Fully completed days",
    "Last activity",
    "Maximum pain",
)


def as_expected(row):
    """A report row (CSV text or Excel values) in the shape of ``Expected``."""

    def number(name):
        value = row[name]
        return None if value in ("", None) else int(value)

    last = row["Last activity"]
    if isinstance(last, datetime):
        last = last.date()
    elif last:
        last = date.fromisoformat(str(last))
    return Expected(
        scheduled_days=number("Scheduled days"),
        prescribed=number("Prescribed sets"),
        completed=number("Completed sets"),
        adherence=f"{Decimal(str(row['Adherence %'] or 0)):.1f}",
        active_days=number("Active days"),
        complete_days=number("Fully completed days"),
        last_activity=last or None,
        max_pain=number("Maximum pain"),
    )


def patient_rows(header, rows):
    named = [dict(zip(header, row, strict=True)) for row in rows]
    return {str(r["Patient"]): as_expected(r) for r in named if r["Row"] == "patient"}


def read_csv(path: Path) -> tuple[dict[str, Expected], dict[str, str]]:
    """The patient rows, and the clinic total row as text."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text[1:]))
    (total,) = (dict(zip(header, r, strict=True)) for r in rows if r[0] == "clinic total")
    return patient_rows(header, rows), total


def read_xlsx(path: Path) -> dict[str, Expected]:
    sheet = load_workbook(path, read_only=True)["Patients"]
    header, *rows = ([*row] for row in sheet.iter_rows(values_only=True))
    # A row's empty last cells (the "Looked after" pair of a whole-period row) are not stored
    # in the file: read as empty, as Excel shows them.
    rows = [row + [None] * (len(header) - len(row)) for row in rows]
    if "Row" not in header:
        header, rows = ["Row", *header], [["patient", *row] for row in rows]
    return patient_rows([str(h) for h in header], rows)


def download(page, button: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_a_clinic_admin_downloads_the_weeks_adherence_as_csv_and_excel_with_the_logged_numbers(
    desktop_page, admin_a, therapist_a, server_clock, tmp_path
):
    clinic_week(therapist_a)
    today = london_today()
    page = desktop_page
    errors = watch_errors(page)
    sign_in_staff(page, admin_a)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Adherence report").wait_for()
    check_page(page, "j5-report-form")

    page.get_by_label("From").fill((today - timedelta(days=6)).isoformat())
    page.get_by_label("To (inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("rowheader", name="Ann Archer")).to_be_visible()
    check_page(page, "j5-report")

    csv_file = download(page, "CSV", tmp_path)
    xlsx_file = download(page, "Excel", tmp_path)
    assert csv_file.suffix == ".csv"
    assert xlsx_file.suffix == ".xlsx"
    patients, total = read_csv(csv_file)
    assert patients == expected(today)
    assert (total["Prescribed sets"], total["Completed sets"]) == ("47", "27")  # 57.4 %
    assert read_xlsx(xlsx_file) == expected(today)
    assert errors == []
