"""The outcomes pages: the patient's questionnaire and Today, the therapist's trends and
report, the admin's wording upload, and the remote-monitoring export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess  # nosec B404: pdftotext reads the test's own PDF
import uuid
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import Role, User
from apps.core.formats import day_text
from apps.devdata.scale import ScaleSpec, scale_seed
from apps.outcomes import monitoring_services, rtm, services
from apps.outcomes.instruments import LEFS
from apps.outcomes.models import (
    Answer,
    ClinicWording,
    ProgressReport,
    Questionnaire,
    Status,
    TimeEntry,
)
from apps.outcomes.report_pdf import report_pdf
from apps.outcomes.services import OPTION_KEYS
from apps.patients.models import Patient
from apps.programs.daily_totals import daily_totals_refresh_days
from apps.programs.models import LevelChange, Program, SetLog
from tests.factories import (
    AdminFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program() -> Program:
    patient = cast(Patient, PatientFactory())
    start = patient.local_today() - dt.timedelta(days=14)
    program = cast(
        Program,
        ProgramFactory(patient=patient, start_date=start, end_date=start + dt.timedelta(days=42)),
    )
    services.measures_set(user=program.created_by, program=program, instruments=["nprs", "psfs"])
    return program


def _owner(program: Program) -> Patient:
    assert program.patient is not None
    return program.patient


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _current(program: Program, code: str) -> Questionnaire:
    today = _owner(program).local_today()
    return Questionnaire.objects.filter(program=program, instrument=code, due_on__lte=today).latest(
        "due_on"
    )


def test_today_links_the_due_questionnaires(program: Program) -> None:
    page = _as(_owner(program).user).get("/today/")
    assert page.status_code == 200
    for code in ("nprs", "psfs"):
        assert f"/today/questionnaires/{_current(program, code).public_id}/" in page.text


def test_the_patient_answers_nprs_on_the_page(program: Program) -> None:
    q = _current(program, "nprs")
    url = f"/today/questionnaires/{q.public_id}/"
    client = _as(_owner(program).user)
    form = client.get(url)
    assert "how much did your hip hurt" in form.text
    sid = str(uuid.uuid4())
    assert client.post(url, {"pain": "4", "submission_id": sid, "submit": "1"}).status_code == 302
    q.refresh_from_db()
    assert (q.status, q.scores) == (Status.SUBMITTED, {"pain": "4"})
    assert "Thank you" in client.get(url).text
    assert f"/today/questionnaires/{q.public_id}/" not in client.get("/today/").text


def test_submitting_the_page_twice_saves_once_and_another_submission_is_a_400(
    program: Program,
) -> None:
    q = _current(program, "nprs")
    url = f"/today/questionnaires/{q.public_id}/"
    client = _as(_owner(program).user)
    sid = str(uuid.uuid4())
    assert client.post(url, {"pain": "4", "submission_id": sid, "submit": "1"}).status_code == 302
    # A double tap: the same page's submission again goes to its result.
    again = client.post(url, {"pain": "4", "submission_id": sid, "submit": "1"})
    assert again.status_code == 302
    # Sent again with another answer: said, not dropped unseen behind the result.
    changed = client.post(url, {"pain": "5", "submission_id": sid, "submit": "1"})
    assert changed.status_code == 409
    assert "already sent this questionnaire" in changed.text
    # Another tab's submission, or "finish later" afterwards: refused, nothing changes.
    other = client.post(url, {"pain": "7", "submission_id": str(uuid.uuid4()), "submit": "1"})
    later = client.post(url, {"pain": "7", "submission_id": sid, "finish_later": "1"})
    assert (other.status_code, later.status_code) == (400, 400)
    assert "already sent this questionnaire" in other.text
    q.refresh_from_db()
    assert q.scores == {"pain": "4"}
    assert list(Answer.objects.filter(questionnaire=q).values_list("value", flat=True)) == [4]


def test_a_bad_answer_on_the_page_is_a_form_error_and_saves_nothing(program: Program) -> None:
    q = _current(program, "nprs")
    url = f"/today/questionnaires/{q.public_id}/"
    response = _as(_owner(program).user).post(
        url, {"pain": "12", "submission_id": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert "Choose from 0 to 10" in response.text
    assert not Answer.objects.exists()


def test_psfs_with_two_activities_is_refused_on_the_page(program: Program) -> None:
    q = _current(program, "psfs")
    url = f"/today/questionnaires/{q.public_id}/"
    body = {"name_1": "Stairs", "name_2": "Car", "activity_1": "3", "activity_2": "4"}
    response = _as(_owner(program).user).post(url, {**body, "submission_id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "Name 3 to 5 activities" in response.text
    assert 'value="Stairs"' in response.text
    assert not Answer.objects.exists()


def test_psfs_with_an_empty_slot_keeps_each_rating_with_its_activity(program: Program) -> None:
    """Activities 1, 2, 3 and 5 named, 4 left empty: the ratings follow their names."""
    q = _current(program, "psfs")
    url = f"/today/questionnaires/{q.public_id}/"
    names = {"name_1": "Stairs", "name_2": "Car", "name_3": "Walk", "name_5": "Garden"}
    ratings = {"activity_1": "2", "activity_2": "3", "activity_3": "4", "activity_5": "9"}
    body = {**names, **ratings, "submission_id": str(uuid.uuid4())}

    response = _as(_owner(program).user).post(url, body)

    assert response.status_code == 302
    q.refresh_from_db()
    assert q.activities == ["Stairs", "Car", "Walk", "Garden"]
    rated = dict(q.answers.values_list("item_key", "value"))
    assert rated == {"activity_1": 2, "activity_2": 3, "activity_3": 4, "activity_4": 9}


def test_psfs_rating_an_unnamed_activity_is_refused_in_words(program: Program) -> None:
    q = _current(program, "psfs")
    url = f"/today/questionnaires/{q.public_id}/"
    names = {"name_1": "Stairs", "name_2": "Car", "name_3": "Walk"}
    ratings = {"activity_1": "2", "activity_2": "3", "activity_3": "4", "activity_4": "9"}
    body = {**names, **ratings, "submission_id": str(uuid.uuid4())}

    response = _as(_owner(program).user).post(url, body)

    assert response.status_code == 400
    assert "You rated activity 4 without naming it" in response.text
    assert not Answer.objects.exists()


def test_finish_later_keeps_the_answers(program: Program) -> None:
    q = _current(program, "psfs")
    url = f"/today/questionnaires/{q.public_id}/"
    body = {"name_1": "Stairs", "name_2": "Car", "name_3": "Walk", "activity_2": "6"}
    client = _as(_owner(program).user)
    assert client.post(url, {**body, "finish_later": "1"}).status_code == 302
    page = client.get(url)
    assert "Stairs" in page.text
    assert 'name="activity_2" value="6" checked' in page.text


def test_a_first_psfs_keeps_its_name_boxes_until_it_is_sent(program: Program) -> None:
    """Three names saved as the patient goes: a typo can still be fixed and a 4th or 5th
    activity added, each box holding the name saved, each rating where it was."""
    q = _current(program, "psfs")
    url = f"/today/questionnaires/{q.public_id}/"
    client = _as(_owner(program).user)
    body = {"name_1": "Stairs", "name_2": "Cra", "name_3": "Walk", "activity_2": "6"}
    assert client.post(url, {**body, "finish_later": "1"}).status_code == 302

    page = client.get(url)

    for n, name in [(1, "Stairs"), (2, "Cra"), (3, "Walk"), (4, ""), (5, "")]:
        assert f'name="name_{n}" maxlength="80" value="{name}"' in page.text
    assert 'name="activity_2" value="6" checked' in page.text
    assert page.text.count('data-named-by="name_') == 5


def _answer_nprs(program: Program, q: Questionnaire, pain: int) -> None:
    services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
        answers={"pain": pain},
    )  # fmt: skip


def test_the_therapist_sees_the_trend_with_band_and_verdict(
    program: Program, django_assert_max_num_queries: Any
) -> None:
    first, second = Questionnaire.objects.filter(program=program, instrument="nprs")[:2]
    _answer_nprs(program, first, 7)
    _answer_nprs(program, second, 6)
    client = _as(program.created_by)
    with django_assert_max_num_queries(20):
        page = client.get(f"/patients/{_owner(program).public_id}/outcomes/")
    assert page.status_code == 200
    assert "no meaningful change" in page.text  # 7 -> 6: 1 point, 14 %
    assert 'class="band"' in page.text
    assert 'class="baseline"' in page.text
    progress = client.get(f"/patients/{_owner(program).public_id}/progress/")
    assert "no meaningful change" in progress.text


def test_one_click_makes_an_audited_pdf(program: Program) -> None:
    _answer_nprs(program, Questionnaire.objects.filter(program=program, instrument="nprs")[0], 5)
    client = _as(program.created_by)
    detail = client.get(f"/patients/{_owner(program).public_id}/")
    assert 'name="save" value="report"' in detail.text
    made = client.post(f"/patients/{_owner(program).public_id}/outcomes/", {"save": "report"})
    assert made.status_code == 302
    pdf = client.get(made["Location"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    report = ProgressReport.objects.get()
    exports = AuditEntry.objects.filter(action=Action.EXPORT, target_ref=str(report.public_id))
    assert exports.count() == 2  # made, then downloaded


def test_the_report_pdf_is_never_cached(program: Program) -> None:
    client = _as(program.created_by)
    made = client.post(f"/patients/{_owner(program).public_id}/outcomes/", {"save": "report"})

    pdf = client.get(made["Location"])

    assert pdf["Cache-Control"] == "no-store"


def test_the_patient_page_shows_the_outcomes_panel_with_a_working_report_form(
    program: Program,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.created_by)
    patient = _owner(program)
    detail = client.get(f"/patients/{patient.public_id}/")
    panel = detail.text.split('<div class="outcome-actions">', 1)[1].split("</div>", 1)[0]
    assert f'href="/patients/{patient.public_id}/outcomes/">Outcome measures</a>' in panel
    assert f'action="/patients/{patient.public_id}/outcomes/"' in panel
    assert '<input type="hidden" name="save" value="report">' in panel
    token = panel.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    made = client.post(
        f"/patients/{patient.public_id}/outcomes/", {"csrfmiddlewaretoken": token, "save": "report"}
    )
    assert made.status_code == 302  # the panel's CSRF token is the page's own


def test_the_pdf_holds_everything_the_referrer_needs_and_is_signed(program: Program) -> None:
    patient = _owner(program)
    start = program.start_date
    assert start is not None
    program.notes = "Gluteal tendinopathy, left. No hip precautions."
    program.save(update_fields=["notes"])
    ladder_item = LadderItemFactory(program=program, current_level=2)
    LevelChange.objects.create(
        item=ladder_item, from_level=1, to_level=2, effective_on=start + dt.timedelta(days=7),
        reason="20 reps reached",
    )  # fmt: skip
    _log_days(program, [start + dt.timedelta(days=1)])
    baseline, latest = Questionnaire.objects.filter(program=program, instrument="nprs")[:2]
    _answer_nprs(program, baseline, 6)
    _answer_nprs(program, latest, 3)
    client = _as(program.created_by)
    made = client.post(
        f"/patients/{patient.public_id}/outcomes/", {"save": "report", "note": "Keep going."}
    )
    pdf = client.get(made["Location"]).content

    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    week = start + dt.timedelta(days=1)
    monday = week - dt.timedelta(days=week.weekday())
    therapist = program.created_by
    for expected in (
        str(patient.public_id),
        "Gluteal tendinopathy, left. No hip precautions.",  # diagnosis/precautions as entered
        f"{ladder_item.ladder.name} 1 — {ladder_item.ladder.name} L1 "
        f"2 — {ladder_item.ladder.name} L2 {day_text(start + dt.timedelta(days=7))}",
        "Adherence by week",
        day_text(monday),
        "Pain during exercise by week",
        "NPRS Hip pain 6 3 -3 meaningful improvement",
        "Keep going.",
        f"Signed: {therapist.full_name}, {day_text(patient.local_today())}",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"instruments": ["lefs"], "interval_days": "14"}, "once a clinic admin has loaded"),
        ({"instruments": ["nprs"], "interval_days": "5"}, "Give a whole number from 7 to"),
    ],
)
def test_scheduling_what_cannot_be_scheduled_is_a_form_error(
    body: dict[str, Any], message: str
) -> None:
    patient = cast(Patient, PatientFactory())
    program = cast(Program, ProgramFactory(patient=patient, start_date=patient.local_today()))
    prefix = str(program.public_id)
    posted = {f"{prefix}-{key}": value for key, value in body.items()}
    posted |= {"save": "measures", "program": prefix}
    response = _as(program.created_by).post(f"/patients/{patient.public_id}/outcomes/", posted)
    assert response.status_code == 400
    form = response.text.split(f'name="program" value="{prefix}"', 1)[1].split("</form>")[0]
    assert message in form
    assert not Questionnaire.objects.filter(program=program).exists()


def test_a_program_without_measures_offers_nprs_and_psfs_ticked() -> None:
    patient = cast(Patient, PatientFactory())
    program = cast(Program, ProgramFactory(patient=patient, start_date=patient.local_today()))
    page = _as(program.created_by).get(f"/patients/{patient.public_id}/outcomes/")
    prefix = program.public_id
    form = page.text.split(f'name="program" value="{prefix}"', 1)[1].split("</form>")[0]
    boxes = [tag.split(">", 1)[0] for tag in form.split("<input")[1:]]
    checked = {
        tag.split('value="', 1)[1].split('"', 1)[0]
        for tag in boxes
        if f'name="{prefix}-instruments"' in tag and "checked" in tag
    }
    assert checked == {"nprs", "psfs"}
    assert "Nothing scheduled yet" in form
    assert not Questionnaire.objects.filter(program=program).exists()


@pytest.mark.parametrize(
    ("minutes", "days_ahead", "message"),
    [
        (20, 1, "cannot be in the future"),
        (0, 0, "Give a whole number from 1 to 600."),
        (601, 0, "Give a whole number from 1 to 600."),
    ],
)
def test_a_bad_time_entry_is_a_form_error_and_saves_nothing(
    program: Program, minutes: int, days_ahead: int, message: str
) -> None:
    monitoring_services.monitoring_set(
        admin=cast(User, AdminFactory(clinic=program.clinic)), enabled=True
    )
    patient = _owner(program)
    on = patient.local_today() + dt.timedelta(days=days_ahead)
    body = {"on": on.isoformat(), "minutes": str(minutes), "activity": "Call"}
    response = _as(program.created_by).post(
        f"/patients/{patient.public_id}/outcomes/", {"save": "time", **body}
    )
    assert response.status_code == 400
    assert message in response.text
    assert not TimeEntry.objects.exists()


def _wording_file(skip: str = "") -> SimpleUploadedFile:
    lines = [f"{k},Our licensed text {k}" for k in (*LEFS.item_keys, *OPTION_KEYS) if k != skip]
    return SimpleUploadedFile("lefs.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_an_admin_uploads_lefs_wording_checked_against_its_structure() -> None:
    admin = cast(User, AdminFactory())
    client = _as(admin)
    bad = client.post("/outcomes/instruments/lefs/wording/", {"file": _wording_file("item_7")})
    assert bad.status_code == 400
    assert "Missing item_7" in bad.text
    assert not ClinicWording.objects.exists()
    good = client.post("/outcomes/instruments/lefs/wording/", {"file": _wording_file()})
    assert good.status_code == 302
    assert ClinicWording.objects.get(clinic=admin.clinic).items["item_7"].endswith("item_7")


# --- Remote monitoring ---------------------------------------------------------------------
def _log_days(program: Program, days: list[dt.date]) -> None:
    item = ExerciseItemFactory(program=program)
    for day in days:
        SetLog.objects.create(
            client_id=uuid.uuid4(), patient=_owner(program), item=item, performed_on=day,
            reps=10, pain=2, exercise=item.exercise, target_sets=2, target_reps=10,
        )  # fmt: skip
        SetLog.objects.create(  # a second set the same day counts once
            client_id=uuid.uuid4(), patient=_owner(program), item=item, performed_on=day,
            reps=10, pain=2, exercise=item.exercise, target_sets=2, target_reps=10,
        )  # fmt: skip
    # As the logging services do in their transaction.
    daily_totals_refresh_days(patient_id=_owner(program).pk, days=days)


# Each 30-day period (counted from the first day with data) is reported in the month in which
# it ends: (patient, period start) -> days with data, for the month ``%(start)s..%(end)s``.
REFERENCE_SQL = """
    WITH firsts AS (
        SELECT patient_id, MIN(performed_on) AS first FROM patients_setlog
        WHERE performed_on <= %(end)s GROUP BY patient_id
    ), periods AS (
        SELECT patient_id, first + n * 30 AS start_day
        FROM firsts CROSS JOIN generate_series(0, 1000) AS n
        WHERE first + n * 30 + 29 BETWEEN %(start)s AND %(end)s
    )
    SELECT p.patient_id, p.start_day, COUNT(DISTINCT l.performed_on)
    FROM periods p JOIN patients_setlog l ON l.patient_id = p.patient_id
     AND l.performed_on BETWEEN p.start_day AND p.start_day + 29
    GROUP BY p.patient_id, p.start_day
"""


def test_the_export_day_counts_equal_a_reference_query(require_postgres: None) -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    month_end = dt.date(2026, 11, 30)
    counts = {}
    for n, gaps in enumerate([1, 2, 3, 7]):
        patient = cast(Patient, PatientFactory(clinic=admin.clinic, full_name=f"P{n}"))
        program = cast(Program, ProgramFactory(patient=patient, start_date=dt.date(2026, 9, 1)))
        _log_days(
            program, [dt.date(2026, 9, 20) + dt.timedelta(days=d) for d in range(0, 72, gaps)]
        )
        counts[str(patient.public_id)] = patient.pk
    response = _as(admin).get("/outcomes/monitoring/?month=2026-11&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    exported = {(r[0], r[2]): int(r[4]) for r in rows[1:] if r and r[0] in counts}
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL, {"start": dt.date(2026, 11, 1), "end": month_end})
        by_pk = {(pk, start.isoformat()): days for pk, start, days in cursor.fetchall()}
    refs = {pk: ref for ref, pk in counts.items()}
    assert exported == {(refs[pk], start): days for (pk, start), days in by_pk.items()}
    assert {ref for ref, _ in exported} == set(counts)
    assert len(set(exported.values())) > 1
    text = response.content.decode()
    assert rtm.DISCLAIMER in text
    assert "5 Nov 2025" in text
    assert "98985" in text
    assert "98977" in text


CLINIC_REFERENCE_SQL = """
    WITH firsts AS (
        SELECT l.patient_id, MIN(l.performed_on) AS first
        FROM patients_setlog l JOIN patients_patient p ON p.id = l.patient_id
        WHERE p.clinic_id = %(clinic)s AND l.performed_on <= %(end)s GROUP BY l.patient_id
    ), periods AS (
        SELECT patient_id, first + n * 30 AS start_day
        FROM firsts CROSS JOIN generate_series(0, 1000) AS n
        WHERE first + n * 30 + 29 BETWEEN %(start)s AND %(end)s
    )
    SELECT p.patient_id, p.start_day, COUNT(DISTINCT l.performed_on)
    FROM periods p LEFT JOIN patients_setlog l ON l.patient_id = p.patient_id
     AND l.performed_on BETWEEN p.start_day AND p.start_day + 29
    GROUP BY p.patient_id, p.start_day
"""


def test_the_export_matches_the_reference_query_for_every_patient_of_a_small_tenth_clinic(
    require_postgres: None,
) -> None:
    # The benchmark's "tenth" clinic (bench/data.py: therapists with 20 patients each, a
    # tenth of them started recently), seeded small: 40 patients over 75 days. The logs
    # depend on the patients' ids, so they differ from run to run: the reference counts a
    # period without logs as 0 days, as the export does.
    today = dt.date(2026, 3, 4)
    seeded = scale_seed(
        spec=ScaleSpec(patients=40, days=75, panel=20, clinic_name="Tenth (small)", today=today)
    )
    admin = User.objects.get(clinic=seeded.clinic, role=Role.ADMIN)
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    reported = set()
    for month, month_end in (("2026-01", dt.date(2026, 1, 31)), ("2026-02", dt.date(2026, 2, 28))):
        response = _as(admin).get(f"/outcomes/monitoring/?month={month}&format=csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        refs = dict(Patient.objects.filter(clinic=seeded.clinic).values_list("public_id", "pk"))
        exported = {
            (refs[uuid.UUID(r[0])], r[2]): int(r[4]) for r in rows[1:] if r and _is_ref(r[0])
        }
        with connection.cursor() as cursor:
            params: dict[str, Any] = {
                "clinic": seeded.clinic.pk, "start": month_end.replace(day=1), "end": month_end
            }  # fmt: skip
            cursor.execute(CLINIC_REFERENCE_SQL, params)
            reference = {(pk, start.isoformat()): n for pk, start, n in cursor.fetchall()}
        assert exported == reference, month
        assert len(set(reference.values())) > 1
        reported |= {pk for pk, _ in reference}
    # Any 59 days hold the end of a 30-day period: over the two months, everyone but the
    # recent tenth.
    assert len(reported) >= 36


def _is_ref(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def test_the_excel_export_has_the_codes_as_a_guide() -> None:
    admin = cast(User, AdminFactory())
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    response = _as(admin).get("/outcomes/monitoring/?month=2026-11&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    guide = [row[0] for row in book["Codes (guide)"].iter_rows(values_only=True)]
    assert guide[0] == rtm.DISCLAIMER
    assert any("98979" in str(line) for line in guide)


@pytest.mark.parametrize(
    ("minutes", "live", "expected"),
    [(9, True, ""), (10, True, "98979"), (19, True, "98979"), (20, True, "98980"),
     (45, True, "98980 + 98981 x1"), (60, True, "98980 + 98981 x2"), (30, False, "")],
)  # fmt: skip
def test_management_code_guide(minutes: int, live: bool, expected: str) -> None:
    assert rtm.management_codes(minutes, live) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(39, "98980"), (40, "98980 + 98981 x1"), (59, "98980 + 98981 x1"),
     (79, "98980 + 98981 x2"), (80, "98980 + 98981 x3")],
)  # fmt: skip
def test_98981_is_suggested_only_for_each_full_additional_20_minutes(
    minutes: int, expected: str
) -> None:
    """research/outcomes.md §4: 98981 is each additional 20 minutes after 98980's first 20,
    full 20-minute blocks only: 39 minutes is 98980 alone, 59 one block, never rounded up."""
    assert rtm.management_codes(minutes, True) == expected


@pytest.mark.parametrize(("days", "code"), [(1, ""), (2, "98985"), (15, "98985"), (16, "98977")])
def test_device_code_guide(days: int, code: str) -> None:
    assert rtm.device_code(days) == code


def test_the_dashboard_shows_the_main_measures_latest_change(program: Program) -> None:
    first, second = Questionnaire.objects.filter(program=program, instrument="nprs")[:2]
    _answer_nprs(program, first, 6)
    _answer_nprs(program, second, 8)
    page = _as(program.created_by).get("/dashboard/")
    assert page.status_code == 200
    assert 'NPRS: <span class="badge danger">worse</span>' in page.text


def test_the_dashboard_follows_the_measure_the_program_schedules_now(program: Program) -> None:
    nprs = Questionnaire.objects.filter(program=program, instrument="nprs")[:2]
    psfs = Questionnaire.objects.filter(program=program, instrument="psfs")[:2]
    _answer_nprs(program, nprs[0], 6)
    _answer_nprs(program, nprs[1], 8)
    _psfs_submitted(program, psfs[0], [2, 3, 4], ["Stairs", "Car", "Walking"])
    _psfs_submitted(program, psfs[1], [6, 6, 6], None)
    # The therapist stops asking NPRS: the column shows the PSFS, the program's measure now.
    services.measures_set(user=program.created_by, program=program, instruments=["psfs"])
    page = _as(program.created_by).get("/dashboard/")
    assert 'PSFS: <span class="badge ok">meaningful improvement</span>' in page.text
    assert "NPRS:" not in page.text


def _psfs_trend(program: Program) -> None:
    first, second = Questionnaire.objects.filter(program=program, instrument="psfs")[:2]
    _psfs_submitted(program, first, [3, 4, 6], ["Stairs", "Car", "Walking"])
    _psfs_submitted(program, second, [6, 6, 8], None)


def test_the_psfs_trend_labels_mdc_as_measurement_error_not_meaningful(program: Program) -> None:
    """research/outcomes.md §0: the PSFS 2 and 3 points are MDC values (beyond measurement
    error); the meaningful change is the MID 1.3 / 2.3 / 2.7."""
    _psfs_trend(program)
    page = _as(program.created_by).get(f"/patients/{_owner(program).public_id}/outcomes/")
    text = " ".join(page.text.split())
    assert (
        "Each activity (a change of 3 points or more on one activity is beyond measurement "
        "error: the MDC, not a meaningful-change value)"
    ) in text
    assert (
        "Meaningful change: MID 1.3 / 2.3 / 2.7 points for a small / medium / large change "
        "(Abbott &amp; Schmitt 2014). Beyond measurement error: MDC 2 points for the mean, "
        "3 points for one activity (90 % CI)."
    ) in text
    assert "<td>better, beyond measurement error</td>" in text  # stairs 3 -> 6
    assert "<td>within measurement error</td>" in text  # car 4 -> 6
    assert "is meaningful for one activity" not in text
    assert "Meaningful change: MDC" not in text


def test_the_pdf_labels_the_psfs_mdc_as_measurement_error(program: Program) -> None:
    _psfs_trend(program)
    client = _as(program.created_by)
    made = client.post(f"/patients/{_owner(program).public_id}/outcomes/", {"save": "report"})
    pdf = client.get(made["Location"]).content
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(out.stdout.decode().split())
    assert (
        "PSFS: meaningful change: MID 1.3 / 2.3 / 2.7 points for a small / medium / large "
        "change (Abbott & Schmitt 2014). Beyond measurement error: MDC 2 points for the mean, "
        "3 points for one activity (90 % CI)."
    ) in text
    assert (
        "PSFS activities (a change of 3 points or more on one activity is beyond measurement "
        "error: the MDC, not a meaningful-change value)"
    ) in text
    assert "Stairs 3 6 better, beyond measurement error" in text
    assert "is meaningful for one activity" not in text


def test_a_report_frozen_before_the_split_shows_its_one_text_under_a_neutral_label() -> None:
    old = {
        "name": "PSFS", "scale_label": "Activities", "baseline": 4.3, "latest": 6.7,
        "change": 2.4, "verdict": "meaningful improvement", "activities": [],
        "meaningful_change": "MDC 2 points for the mean, 3 for one activity (MID 1.3 / 2.3 / 2.7)",
    }  # fmt: skip
    pdf = report_pdf({"outcomes": [old]})
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(out.stdout.decode().split())
    assert "PSFS: change values as recorded: MDC 2 points for the mean" in text
    assert "meaningful change: MDC" not in text.lower()


def test_the_instruments_page_labels_mdc_and_meaningful_change_apart() -> None:
    page = _as(AdminFactory()).get("/outcomes/instruments/")
    text = " ".join(page.text.split())
    assert (
        "Meaningful change: MID 1.3 / 2.3 / 2.7 points for a small / medium / large change "
        "(Abbott &amp; Schmitt 2014). Beyond measurement error: MDC 2 points for the mean, "
        "3 points for one activity (90 % CI)."
    ) in text
    assert "Meaningful change: about 2 points or 30 % (Farrar 2001)." in text


def _psfs_submitted(
    program: Program, q: Questionnaire, ratings: list[int], names: list[str] | None
) -> None:
    services.questionnaire_submit(
        patient=_owner(program), questionnaire=q, submission_id=uuid.uuid4(),
        answers={f"activity_{n}": r for n, r in enumerate(ratings, 1)}, activities=names,
    )  # fmt: skip


def test_the_questionnaire_and_monitoring_pages_do_a_fixed_number_of_queries(
    program: Program, django_assert_max_num_queries: Any
) -> None:
    q = _current(program, "psfs")
    patient = _as(_owner(program).user)
    with django_assert_max_num_queries(12):
        assert patient.get(f"/today/questionnaires/{q.public_id}/").status_code == 200
    admin = cast(User, AdminFactory(clinic=program.clinic))
    monitoring_services.monitoring_set(admin=admin, enabled=True)
    for n in range(5):
        other = cast(Patient, PatientFactory(clinic=program.clinic, full_name=f"Q{n}"))
        _log_days(cast(Program, ProgramFactory(patient=other)), [other.local_today()])
    client = _as(admin)
    with django_assert_max_num_queries(14):
        page = client.get("/outcomes/monitoring/")
    assert page.status_code == 200
    assert page.text.count("2-15 days") + page.text.count("under 2 days") == 5


def test_the_time_form_sent_twice_logs_the_minutes_once(program: Program) -> None:
    monitoring_services.monitoring_set(
        admin=cast(User, AdminFactory(clinic=program.clinic)), enabled=True
    )
    patient = _owner(program)
    client = _as(program.created_by)
    page = client.get(f"/patients/{patient.public_id}/outcomes/").text
    client_id = page.split('name="client_id" value="', 1)[1].split('"', 1)[0]
    body = {
        "on": patient.local_today().isoformat(), "minutes": "15", "activity": "Call",
        "client_id": client_id,
    }  # fmt: skip

    for _ in range(2):  # a double click
        assert (
            client.post(
                f"/patients/{patient.public_id}/outcomes/", {"save": "time", **body}
            ).status_code
            == 302
        )

    assert TimeEntry.objects.get().minutes == 15


def test_refused_forms_stay_at_the_outcome_pages_own_address(program: Program) -> None:
    # Reloading or bookmarking the page after a refusal shows the page, never a 405 from an
    # address that only takes a POST: every form on it is posted to the page itself.
    monitoring_services.monitoring_set(
        admin=cast(User, AdminFactory(clinic=program.clinic)), enabled=True
    )
    patient = _owner(program)
    client = _as(program.created_by)
    page_url = f"/patients/{patient.public_id}/outcomes/"
    page = client.get(page_url).text
    forms = [f.split("</form>")[0] for f in page.split('<form method="post"')[1:]]
    actions = {f.split('action="', 1)[1].split('"', 1)[0] for f in forms}
    assert actions - {"/sign-out/"} == {page_url}
    prefix = str(program.public_id)
    refused_bodies = [
        {"save": "measures", "program": prefix, f"{prefix}-interval_days": "5"},
        {"save": "report", "note": "x" * 5000},
        {"save": "time", "on": "not a date", "minutes": "20", "activity": "Call"},
    ]

    for body in refused_bodies:
        assert client.post(page_url, body).status_code == 400, body
    assert client.get(page_url).status_code == 200
    assert not ProgressReport.objects.exists()
    assert not TimeEntry.objects.exists()


def test_measures_posted_to_a_patients_page_name_one_of_that_patients_programs(
    program: Program,
) -> None:
    patient = _owner(program)
    someone_else = cast(Patient, PatientFactory(therapist=patient.therapist))
    theirs = cast(Program, ProgramFactory(patient=someone_else))
    other_clinic = cast(Program, ProgramFactory())
    client = _as(program.created_by)
    before = Questionnaire.objects.count()

    for named in (theirs, other_clinic):
        prefix = str(named.public_id)
        body = {"save": "measures", "program": prefix, f"{prefix}-instruments": ["nprs"],
                f"{prefix}-interval_days": "14"}  # fmt: skip
        response = client.post(f"/patients/{patient.public_id}/outcomes/", body)

        assert response.status_code == 404
    assert client.post(f"/patients/{patient.public_id}/outcomes/", {"save": "x"}).status_code == 400
    assert Questionnaire.objects.count() == before
