"""The detailed export written by PostgreSQL matches the Python writer byte for byte."""

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection

from apps.audit.models import AuditEntry
from apps.reports.exports import detail, detail_sql
from apps.reports.exports.detail import detail_csv, detail_csv_postgres, detail_csv_python
from apps.reports.exports.filters import ReportFilters
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.reports.report_factories import SetLogFactory, parse_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]

NAMES = [
    '=HYPERLINK("http://x.example")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "Zoë, Łukasz",
    'Ann "Nan" O\'Neil',
    "Line\nbreak",
    " leading space",
    "'already quoted",
    "plain",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


def _filters(admin, **extra):
    return ReportFilters(
        clinic_id=admin.clinic_id, start=date(2026, 2, 1), end=date(2026, 2, 7), **extra
    )


def _logs_for(therapist, name, *, per_side=False, **log):
    patient = PatientFactory(therapist=therapist, full_name=name)
    program = ProgramFactory(patient=patient, name=name, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(
        program=program, exercise=ExerciseFactory(name=name), per_side=per_side
    )
    return SetLogFactory(item=item, performed_on=date(2026, 2, 3), **log)


def _both(admin, **extra):
    python = b"".join(detail_csv_python(user=admin, filters=_filters(admin, **extra)))
    copy = b"".join(detail_csv_postgres(user=admin, filters=_filters(admin, **extra)))
    return python, copy


def test_copy_and_python_write_the_same_bytes(admin_a, therapist_a):
    for number, name in enumerate(NAMES):
        _logs_for(therapist_a, name, per_side=number % 2 == 0, reps=number, difficulty=None)
    _logs_for(therapist_a, "Held", reps=None, hold_seconds=30, pain=0, difficulty=5)
    unnamed = _logs_for(therapist_a, "Unnamed program")
    unnamed.item.program.name = ""
    unnamed.item.program.save(update_fields=["name"])

    python, copy = _both(admin_a)

    assert copy == python
    assert len(parse_csv(copy)) == 1 + len(NAMES) + 2
    assert b"\r\n" in copy


def test_both_writers_give_the_top_of_a_prescribed_range(admin_a, therapist_a):
    """A set of 15 in a "10 to 20 reps" range is within what was prescribed: the export says
    the range (its top in a column of its own), for reps and for holds alike."""
    patient = PatientFactory(therapist=therapist_a, full_name="Ranged")
    program = ProgramFactory(patient=patient, name="Hip", start_date=date(2026, 1, 1))
    reps = ExerciseItemFactory(program=program, reps=10, reps_up_to=20)
    hold = ExerciseItemFactory(program=program, reps=None, hold_seconds=20, hold_up_to=30)
    SetLogFactory(item=reps, performed_on=date(2026, 2, 3), reps=15)
    SetLogFactory(item=hold, performed_on=date(2026, 2, 4), reps=None, hold_seconds=25)

    python, copy = _both(admin_a)

    assert copy == python
    header, *rows = parse_csv(copy)
    targets = ["Target reps", "Target reps up to", "Target hold (s)", "Target hold up to (s)"]
    assert [[row[header.index(name)] for name in targets] for row in rows] == [
        ["10", "20", "", ""],
        ["", "", "20", "30"],
    ]


def test_copy_neutralises_formulas_like_the_python_writer(admin_a, therapist_a):
    for name in NAMES[:6]:
        _logs_for(therapist_a, name)

    rows = parse_csv(b"".join(detail_csv_postgres(user=admin_a, filters=_filters(admin_a))))

    header = rows[0]
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in NAMES[:6])
    for row in rows[1:]:
        assert row[header.index("Exercise")] == row[header.index("Patient")]
        assert row[header.index("Program")].startswith("'")


def test_copy_keeps_to_the_clinic_the_period_and_the_therapist(admin_a, therapist_a, patient_b):
    _logs_for(therapist_a, "Mine")
    early = _logs_for(therapist_a, "Too early")
    early.performed_on = date(2026, 1, 31)
    early.save(update_fields=["performed_on"])
    _logs_for(PatientFactory(therapist__clinic=admin_a.clinic).therapist, "Other therapist's")
    _logs_for(patient_b.therapist, "Other clinic")

    everyone = parse_csv(_both(admin_a)[1])
    only_a = parse_csv(_both(admin_a, therapist=therapist_a)[1])

    assert sorted(row[0] for row in everyone[1:]) == ["Mine", "Other therapist's"]
    assert [row[0] for row in only_a[1:]] == ["Mine"]


def test_copy_is_empty_for_another_clinics_admin(admin_a, patient_b):
    _logs_for(patient_b.therapist, "Other clinic")

    python, copy = _both(admin_a)

    assert copy == python
    assert len(parse_csv(copy)) == 1


def test_copy_reports_progress_between_batches_of_patients(admin_a, therapist_a, monkeypatch):
    monkeypatch.setattr(detail_sql, "DETAIL_PATIENT_BATCH", 2)
    for name in ["Eve", "Dan", "Cat", "Bob", "Ann"]:
        log = _logs_for(therapist_a, name)
        SetLogFactory(item=log.item, performed_on=date(2026, 2, 4))
    seen: list[int] = []

    def progress(rows: int) -> None:
        seen.append(rows)
        AuditEntry.objects.count()  # a query on the same connection, like a job's UPDATE

    filters = _filters(admin_a)
    chunks = list(detail_csv_postgres(user=admin_a, filters=filters, on_row=progress))

    assert seen == [4, 8, 10]
    assert len(chunks) == 1 + 5, "the header, then one chunk a patient"
    assert all(chunk.endswith(b"\r\n") for chunk in chunks)
    assert b"".join(chunks) == b"".join(detail_csv_python(user=admin_a, filters=filters))


def test_postgres_uses_the_copy_writer(admin_a, therapist_a, monkeypatch):
    _logs_for(therapist_a, "Ann")
    monkeypatch.setattr(detail, "detail_csv_python", None)

    rows = parse_csv(b"".join(detail_csv(user=admin_a, filters=_filters(admin_a))))

    assert [row[0] for row in rows[1:]] == ["Ann"]


def test_copy_writes_iso_dates_whatever_the_sessions_date_style(admin_a, therapist_a):
    _logs_for(therapist_a, "Ann")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'SQL, DMY'")

    python, copy = _both(admin_a)

    assert copy == python
    assert parse_csv(copy)[1][2] == "2026-02-03"


def test_both_writers_name_each_sets_therapist_after_hand_overs(admin_a, therapist_a):
    """Ann (Auckland) goes to Cy on Tuesday 3 February (local), then to Dee and back to Cy
    on Thursday 5 (Dee has no day), and Bo (no spell recorded, added outside the app) stays
    with his therapist: each set names the therapist of its day, in the order of the days."""
    from apps.patients.models import CareSpell
    from apps.patients.services import patient_update_partial

    cy = StaffFactory(clinic=admin_a.clinic, full_name='Cy, "the" colleague')
    dee = StaffFactory(clinic=admin_a.clinic, full_name="", email="dee@clinic.example")
    ann = PatientFactory(
        therapist=therapist_a, full_name="Ann", time_zone="Pacific/Auckland",
        created_at=datetime.fromisoformat("2026-01-01T09:00Z"),
    )  # fmt: skip
    CareSpell.objects.create(patient=ann, therapist=therapist_a, started_at=ann.created_at)
    program = ProgramFactory(patient=ann, name="Hip", start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program, exercise=ExerciseFactory(name="Clam"))
    for day in range(1, 8):
        SetLogFactory(item=item, performed_on=date(2026, 2, day))
    for moment, to in (("2026-02-02T12:00Z", cy), ("2026-02-04T20:00Z", dee),
                       ("2026-02-04T22:00Z", cy)):  # fmt: skip
        with time_machine.travel(moment, tick=False):
            patient_update_partial(patient=ann, changes={"therapist": to}, actor=admin_a)
    _logs_for(therapist_a, "Bo")

    python, copy = _both(admin_a)
    mine = _both(admin_a, therapist=therapist_a)
    cys = _both(admin_a, therapist=cy)
    dees = _both(admin_a, therapist=dee)

    assert (copy, mine[1], cys[1], dees[1]) == (python, mine[0], cys[0], dees[0])
    rows = [(row[0], row[1], row[2]) for row in parse_csv(copy)[1:]]
    alex = therapist_a.full_name
    assert rows == [("Ann", alex, "2026-02-01"), ("Ann", alex, "2026-02-02")] + [
        ("Ann", 'Cy, "the" colleague', f"2026-02-0{day}") for day in range(3, 8)
    ] + [("Bo", alex, "2026-02-03")]
    assert [row[2] for row in parse_csv(mine[1])[1:]] == ["2026-02-01", "2026-02-02", "2026-02-03"]
    assert len(parse_csv(dees[1])) == 1
