"""The remote-monitoring summary reports every 30-day period: each in the month in which it
ends (a 31-day month can hold the ends of two, February none), and in the clinic's current
month also the one running today. The month's minutes are on one row per patient."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import cast

import pytest
import time_machine
from django.test import Client

from apps.clinics.models import User
from apps.outcomes import monitoring_services
from apps.patients.models import Patient
from apps.programs.daily_totals import daily_totals_refresh_days
from apps.programs.models import Program, SetLog
from tests.factories import AdminFactory, ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
FIRST = dt.date(2026, 1, 1)  # periods: 1-30 Jan, 31 Jan-1 Mar, 2-31 Mar, 1-30 Apr, 1-30 May


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _patient(admin: User, days: list[dt.date]) -> Patient:
    with time_machine.travel(dt.datetime(2025, 12, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        patient = cast(Patient, PatientFactory(clinic=admin.clinic, full_name="Pat Period"))
    program = cast(Program, ProgramFactory(patient=patient, start_date=FIRST))
    item = ExerciseItemFactory(program=program)
    for day in days:
        SetLog.objects.create(
            client_id=uuid.uuid4(), patient=patient, item=item, performed_on=day,
            reps=10, pain=2, exercise=item.exercise, target_sets=2, target_reps=10,
        )  # fmt: skip
    daily_totals_refresh_days(patient_id=patient.pk, days=days)
    return patient


def _export(admin: User, month: str) -> list[dict[str, str]]:
    client = Client()
    client.force_login(admin)
    response = client.get(f"/outcomes/monitoring/?month={month}&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if len(row) == len(header)]


def _admin() -> User:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    return admin


def test_every_period_is_in_the_summary_of_the_month_it_ends_in_once() -> None:
    admin = _admin()
    # One day in each period (its first), the 1st of January a day on its own.
    _patient(admin, [FIRST, dt.date(2026, 1, 31), dt.date(2026, 2, 1), dt.date(2026, 3, 2)])

    shown = {
        month: [(r["Period start"], r["Period end"], r["Days with data"]) for r in rows]
        for month in ("2026-01", "2026-02", "2026-03", "2026-04")
        if (rows := _export(admin, month))
    }

    assert shown == {
        "2026-01": [("2026-01-01", "2026-01-30", "1")],
        "2026-03": [("2026-01-31", "2026-03-01", "2"), ("2026-03-02", "2026-03-31", "1")],
        "2026-04": [("2026-04-01", "2026-04-30", "0")],
    }


def test_the_current_month_also_shows_the_period_running_today() -> None:
    admin = _admin()
    _patient(admin, [FIRST, dt.date(2026, 5, 2), dt.date(2026, 5, 9)])

    rows = _export(admin, "2026-05")

    assert [(r["Period start"], r["Period end"], r["Days with data"]) for r in rows] == [
        ("2026-05-01", "2026-05-30", "2")
    ]


def test_a_running_period_is_marked_so_far_and_suggests_no_device_code_yet() -> None:
    """Its days may still reach the higher band: a code suggested now (98985 for 2-15 days)
    could be billed before the period ends and be the wrong one by then."""
    admin = _admin()
    _patient(admin, [FIRST, dt.date(2026, 5, 2), dt.date(2026, 5, 9)])
    ended = _patient(admin, [FIRST, dt.date(2026, 4, 2), dt.date(2026, 4, 9)])
    Patient.objects.filter(pk=ended.pk).update(full_name="Quinn Quit")

    may, april = _export(admin, "2026-05"), _export(admin, "2026-04")
    client = Client()
    client.force_login(admin)
    page = client.get("/outcomes/monitoring/?month=2026-05").text

    running = next(r for r in may if r["Patient"] == "Pat Period")
    assert (running["Day band"], running["Device code (guide)"]) == ("2-15 days so far", "")
    finished = next(r for r in april if r["Patient"] == "Quinn Quit")
    assert (finished["Day band"], finished["Device code (guide)"]) == ("2-15 days", "98985")
    assert "1 May \u2013 30 May 2026 (running)" in page


def test_the_months_minutes_are_on_one_row_and_a_month_without_a_period_end_keeps_them() -> None:
    admin = _admin()
    patient = _patient(admin, [FIRST, dt.date(2026, 3, 3)])
    for on, minutes in ((dt.date(2026, 2, 10), 25), (dt.date(2026, 3, 10), 12)):
        monitoring_services.time_entry_add(
            user=admin, patient=patient, on=on, minutes=minutes, activity="Call",
            live_interaction=True,
        )  # fmt: skip

    february = _export(admin, "2026-02")
    march = _export(admin, "2026-03")

    assert [
        (r["Period start"], r["Days with data"], r["Minutes this month"]) for r in february
    ] == [("", "", "25")]
    assert february[0]["Management codes (guide)"] == "98980"
    assert february[0]["Device code (guide)"] == ""
    cells = [(r["Minutes this month"], r["Management codes (guide)"]) for r in march]
    assert cells == [("12", "98979"), ("", "")]


def test_the_page_shows_each_period_and_the_minutes_once() -> None:
    admin = _admin()
    _patient(admin, [FIRST, dt.date(2026, 3, 2)])
    client = Client()
    client.force_login(admin)

    page = client.get("/outcomes/monitoring/?month=2026-03").text
    february = client.get("/outcomes/monitoring/?month=2026-02").text

    assert "31 Jan \u2013 1 Mar 2026" in page
    assert "2 Mar \u2013 31 Mar 2026" in page
    assert "Counted on the row above" in page
    assert "No data this month." in february
