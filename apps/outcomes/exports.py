"""The remote-monitoring summary as CSV and Excel, with the RTM codes as a guide and the
date of their source."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from apps.core.spreadsheet import safe_text
from apps.outcomes import rtm
from apps.outcomes.monitoring_selectors import MonitoringRow

BOM = "\ufeff"

HEADER = [
    "Patient reference", "Patient", "Period start", "Period end", "Days with data",
    "Day band", "Minutes this month", "Live interaction", "Device code (guide)",
    "Management codes (guide)",
]  # fmt: skip


def _row(row: MonitoringRow) -> list[Any]:
    """The row's cells. A row without a period leaves the period's cells empty; a patient's
    second period of the month leaves the month's minutes, contact and management codes
    empty (they are on the first, and counted once)."""
    # The name is typed by people: one starting with "=" would be a formula in the file.
    band = f"{row.day_band} so far" if row.running else row.day_band
    period = [_day(row.period_start), _day(row.period_end), _blank(row.data_days), band]
    month: list[Any] = ["", "", ""]
    if row.minutes is not None:
        live = bool(row.live_interaction)
        month = [row.minutes, "yes" if live else "no", rtm.management_codes(row.minutes, live)]
    # A period still running has no code yet: its days may still reach the higher band.
    device = "" if row.running or row.data_days is None else rtm.device_code(row.data_days)
    return [row.patient_ref, safe_text(row.patient_name), *period, *month[:2], device, month[2]]


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def _blank(value: int | None) -> int | str:
    return "" if value is None else value


def _notes() -> list[list[str]]:
    return [
        [rtm.DISCLAIMER],
        [f"Source: {rtm.SOURCE}"],
        *[[f"{code}: {text}"] for code, text in rtm.CODES],
    ]


def _headers(response: HttpResponse, month: date, ext: str) -> HttpResponse:
    response["Content-Disposition"] = (
        f'attachment; filename="remote-monitoring-{month:%Y-%m}.{ext}"'
    )
    # Patients' names and minutes: no browser or proxy keeps a copy (as the adherence exports).
    response["Cache-Control"] = "no-store"
    return response


def monitoring_csv(rows: Sequence[MonitoringRow], month: date) -> HttpResponse:
    # A UTF-8 byte order mark first, as in the adherence export: Excel, which most clinics
    # open CSV files with, otherwise reads "Łukasz Wójcik" as Latin-1.
    buffer = io.StringIO(BOM)
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_row(r) for r in rows)
    writer.writerow([])
    writer.writerows(_notes())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _headers(response, month, "csv")


def monitoring_xlsx(rows: Sequence[MonitoringRow], month: date) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{month:%Y-%m}")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(_row(row))
    guide = book.create_sheet("Codes (guide)")
    for line in _notes():
        guide.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _headers(response, month, "xlsx")
