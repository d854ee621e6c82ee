"""A patient handed over from one therapist to another is reported for each of them for
their own days: the days before the hand-over are the first therapist's, the hand-over's day
(in the patient's time zone) and the days after the second's, in the report filtered by
therapist, in each therapist's total of the whole clinic's report, and in every download.
The clinic's totals are those without the hand-over.

Frozen at Thursday 12 March 2026, 12:00 UTC. The period is Monday 2 to Sunday 15 March.

Ann (London): "Hip strength", daily from 2 March, one set a day. Alex hands her to Priya on
Monday 9 March at 10:00. She logs one set a day from 2 to 8 March (pain 2) and on 9 and 10
March (pain 6); a progression is approved on 4 March and another on 10 March.
  Alex, until 8 March: 7 days, 7 of 7 = 100.0 %, active 7, complete 7, last 8 March,
    pain 2.0 / 2, one progression.
  Priya, from 9 March: 9 to 12 March (her today) = 4 days, 2 of 4 = 50.0 %, active 2,
    complete 2, last 10 March, pain 6.0 / 6, one progression.
Bo (London): Alex's throughout, "Starter" daily from 9 March, 2 sets a day, nothing logged:
  4 days, 0 of 8.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.patients.models import Patient
from apps.patients.services import patient_create, patient_update_partial
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.reports.exports.build import build_report
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.scope import report_size
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory, StaffFactory
from tests.reports.report_factories import log_sets, parse_csv, streamed

pytestmark = pytest.mark.django_db

PAGE = EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
START, END = date(2026, 3, 2), date(2026, 3, 15)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
HAND_OVER = datetime.fromisoformat("2026-03-09T10:00Z")
NOW = datetime.fromisoformat("2026-03-12T12:00Z")

# (patient, therapist, scheduled, prescribed, completed, adherence %, active, complete, last,
#  average pain, maximum pain, progressions, looked after from, looked after until)
ALEX_ANN = ("Ann Adams", "Alex Ames", 7, 7, 7, Decimal("100.0"), 7, 7, date(2026, 3, 8),
            Decimal("2.0"), 2, 1, None, date(2026, 3, 8))  # fmt: skip
PRIYA_ANN = ("Ann Adams", "Priya Patel", 4, 4, 2, Decimal("50.0"), 2, 2, date(2026, 3, 10),
             Decimal("6.0"), 6, 1, date(2026, 3, 9), None)  # fmt: skip
ALEX_BO = ("Bo Brown", "Alex Ames", 4, 8, 0, Decimal("0.0"), 0, 0, None, None, None, 0,
           None, None)  # fmt: skip


ADDED = datetime.fromisoformat("2026-03-01T09:00Z")


def _add(therapist, name, when=ADDED):
    with time_machine.travel(when, tick=False):
        return patient_create(
            therapist=therapist, full_name=name, year_of_birth=1970, email="p@mail.example"
        )


def _hand_over(patient, to, actor, when=HAND_OVER):
    with time_machine.travel(when, tick=False):
        patient_update_partial(patient=patient, changes={"therapist": to}, actor=actor)


@pytest.fixture
def alex(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Alex Ames")


@pytest.fixture
def priya(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Priya Patel")


@pytest.fixture
def ann(alex, priya, admin_a):
    ann = _add(alex, "Ann Adams")
    program = ProgramFactory(patient=ann, name="Hip strength", start_date=START)
    item = ExerciseItemFactory(program=program, sets=1, per_side=False)
    for offset in range(7):
        log_sets(item, START + timedelta(days=offset), 1, pain=2)
    for day in (date(2026, 3, 9), date(2026, 3, 10)):
        log_sets(item, day, 1, pain=6)
    for level, day in ((1, "2026-03-04T10:00Z"), (2, "2026-03-10T10:00Z")):
        ProgressionPrompt.objects.create(
            patient=ann, item=item, track=item.track, level=level,
            status=PromptStatus.APPROVED, decided_at=datetime.fromisoformat(day),
        )  # fmt: skip
    _hand_over(ann, priya, admin_a)
    return ann


@pytest.fixture
def bo(alex):
    bo = _add(alex, "Bo Brown")
    program = ProgramFactory(patient=bo, name="Starter", start_date=date(2026, 3, 9))
    ExerciseItemFactory(program=program, sets=2, per_side=False)
    return bo


@pytest.fixture(autouse=True)
def _frozen(ann, bo):
    with time_machine.travel(NOW, tick=False):
        yield


def _filters(admin, therapist=None, start=START, end=END):
    return ReportFilters(clinic_id=admin.clinic_id, start=start, end=end, therapist=therapist)


def _rows(report):
    return [
        (r.patient, r.therapist, r.scheduled_days, r.prescribed, r.completed, r.adherence,
         r.active_days, r.complete_days, r.last_activity, r.avg_pain, r.max_pain,
         r.progressions, r.care_from, r.care_until)
        for r in report.rows
    ]  # fmt: skip


def test_each_therapists_report_has_their_own_days_of_a_patient_handed_over(admin_a, alex, priya):
    alexs = build_report(user=admin_a, filters=_filters(admin_a, alex))
    priyas = build_report(user=admin_a, filters=_filters(admin_a, priya))

    assert _rows(alexs) == [ALEX_ANN, ALEX_BO]
    assert _rows(priyas) == [PRIYA_ANN]
    assert (alexs.clinic_total.patients, alexs.clinic_total.prescribed) == (2, 15)
    assert (priyas.clinic_total.patients, priyas.clinic_total.completed) == (1, 2)


def test_the_whole_clinics_report_gives_each_part_to_its_therapist(admin_a, alex, priya):
    report = build_report(user=admin_a, filters=_filters(admin_a))

    assert _rows(report) == [ALEX_ANN, PRIYA_ANN, ALEX_BO]
    totals = {t.label: (t.patients, t.prescribed, t.completed) for t in report.therapist_totals}
    assert totals == {"Alex Ames": (2, 15, 7), "Priya Patel": (1, 4, 2)}
    clinic = report.clinic_total
    # Ann counts once: the clinic's totals are those the report gave before the hand-over.
    assert (clinic.patients, clinic.scheduled_days, clinic.prescribed, clinic.completed) == (
        2, 15, 19, 9,
    )  # fmt: skip
    assert (clinic.active_days, clinic.complete_days, clinic.progressions) == (9, 9, 2)
    assert (clinic.pain_sum, clinic.pain_count, clinic.max_pain) == (26, 9, 6)


def test_a_hand_over_before_the_period_leaves_the_patient_to_the_new_therapist(
    admin_a, alex, priya
):
    later = _filters(admin_a, start=date(2026, 3, 10), end=date(2026, 3, 11))

    assert [r.patient for r in build_report(user=admin_a, filters=later).rows] == [
        "Ann Adams", "Bo Brown",
    ]  # fmt: skip
    alexs = build_report(user=admin_a, filters=_filters(admin_a, alex, later.start, later.end))
    priyas = build_report(user=admin_a, filters=_filters(admin_a, priya, later.start, later.end))
    assert [r.patient for r in alexs.rows] == ["Bo Brown"]
    assert [(r.patient, r.care_from, r.care_until) for r in priyas.rows] == [
        ("Ann Adams", None, None)
    ]


def test_a_hand_over_after_the_period_leaves_it_to_the_first_therapist(admin_a, alex, priya):
    earlier = (date(2026, 3, 2), date(2026, 3, 8))

    alexs = build_report(user=admin_a, filters=_filters(admin_a, alex, *earlier))
    priyas = build_report(user=admin_a, filters=_filters(admin_a, priya, *earlier))

    assert [(r.patient, r.care_from, r.care_until, r.completed) for r in alexs.rows] == [
        ("Ann Adams", None, None, 7)
    ]
    assert priyas.rows == []
    assert report_size(user=admin_a, filters=_filters(admin_a, priya, *earlier)).patients == 0


def test_a_part_with_nothing_running_and_nothing_logged_is_left_out(admin_a, alex, priya):
    cy = _add(alex, "Cy Cole")
    _hand_over(cy, priya, admin_a, when=datetime.fromisoformat("2026-03-05T10:00Z"))
    program = ProgramFactory(patient=cy, name="Later", start_date=date(2026, 3, 6))
    ExerciseItemFactory(program=program, sets=1)

    alexs = _filters(admin_a, alex)
    priyas = _filters(admin_a, priya)

    assert [r.patient for r in build_report(user=admin_a, filters=alexs).rows] == [
        "Ann Adams", "Bo Brown",
    ]  # fmt: skip
    assert report_size(user=admin_a, filters=alexs).patients == 2
    assert [(r.patient, r.care_from) for r in build_report(user=admin_a, filters=priyas).rows] == [
        ("Ann Adams", date(2026, 3, 9)),
        ("Cy Cole", date(2026, 3, 5)),
    ]
    assert report_size(user=admin_a, filters=priyas).patients == 2


def test_handed_back_the_first_therapist_has_both_of_their_parts(admin_a, alex, priya, ann):
    _hand_over(ann, alex, admin_a, when=datetime.fromisoformat("2026-03-11T10:00Z"))

    alexs = build_report(user=admin_a, filters=_filters(admin_a, alex))
    priyas = build_report(user=admin_a, filters=_filters(admin_a, priya))

    assert [(r.patient, r.care_from, r.care_until, r.scheduled_days) for r in alexs.rows] == [
        ("Ann Adams", None, date(2026, 3, 8), 7),
        ("Ann Adams", date(2026, 3, 11), None, 2),
        ("Bo Brown", None, None, 4),
    ]
    assert [(r.care_from, r.care_until, r.scheduled_days) for r in priyas.rows] == [
        (date(2026, 3, 9), date(2026, 3, 10), 2)
    ]
    assert alexs.clinic_total.patients == 2, "Ann once"


def test_the_hand_overs_local_day_is_the_patients(admin_a, alex, priya):
    # 23:30 UTC on Tuesday 3 March is already Wednesday 4 March in Tokyo.
    kai = _add(alex, "Kai Kato")
    Patient.objects.filter(pk=kai.pk).update(time_zone="Asia/Tokyo")
    kai.refresh_from_db()
    program = ProgramFactory(patient=kai, name="Daily", start_date=START)
    ExerciseItemFactory(program=program, sets=1)
    _hand_over(kai, priya, admin_a, when=datetime.fromisoformat("2026-03-03T23:30Z"))

    priyas = build_report(user=admin_a, filters=_filters(admin_a, priya))

    assert [(r.patient, r.care_from) for r in priyas.rows if r.patient == "Kai Kato"] == [
        ("Kai Kato", date(2026, 3, 4))
    ]


def test_the_page_says_whose_part_each_row_is(admin_a, priya):
    response = signed_in(admin_a).get(PAGE, PERIOD | {"therapist": str(priya.public_id)})

    assert response.status_code == 200
    text = response.content.decode()
    assert "from 9 Mar 2026" in text
    assert "Bo Brown" not in text


def test_every_download_gives_each_therapist_their_own_days(admin_a, alex, priya):
    client = signed_in(admin_a)

    def export(fmt, therapist):
        data = {**PERIOD, "format": fmt, "therapist": str(therapist.public_id)}
        response = client.post(EXPORT, data)
        assert response.status_code == 200
        return streamed(response)

    rows = parse_csv(export("csv", alex))
    assert rows[0][-2:] == ["Looked after from", "Looked after until"]
    ann = next(r for r in rows if r[1] == "Ann Adams")
    assert (ann[4:7], ann[-2:]) == (["7", "7", "7"], ["", "2026-03-08"])

    sheet = load_workbook(BytesIO(export("xlsx", priya)))["Patients"]
    [header, row] = list(sheet.iter_rows(values_only=True))
    assert header[-2:] == ("Looked after from", "Looked after until")
    assert (row[0], row[3], row[5], row[-2], row[-1]) == (
        "Ann Adams", 4, 2, datetime(2026, 3, 9), None,
    )  # fmt: skip

    pdf = PdfReader(BytesIO(export("pdf", priya)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Priya Patel from 9 Mar 2026" in text


def test_the_detailed_export_names_the_therapist_of_each_sets_day(admin_a, alex):
    client = signed_in(admin_a)

    def export(**extra):
        data = {**PERIOD, "format": "csv", "kind": "detail", **extra}
        return parse_csv(streamed(client.post(EXPORT, data)))[1:]

    every = export()
    assert [(r[1], r[2]) for r in every if r[0] == "Ann Adams"] == [
        ("Alex Ames", f"2026-03-0{day}") for day in range(2, 9)
    ] + [("Priya Patel", "2026-03-09"), ("Priya Patel", "2026-03-10")]
    alexs = export(therapist=str(alex.public_id))
    assert [r[2] for r in alexs] == [f"2026-03-0{day}" for day in range(2, 9)]
    assert report_size(user=admin_a, filters=_filters(admin_a, alex)).set_logs == 7


def test_the_therapists_dashboard_stays_with_their_current_patients(alex, priya):
    alexs = signed_in(alex).get("/dashboard/").content.decode()
    priyas = signed_in(priya).get("/dashboard/").content.decode()

    assert "Ann Adams" not in alexs
    assert "Bo Brown" in alexs
    assert "Ann Adams" in priyas


def _handed_over(alex, priya, admin, count):
    for number in range(count):
        patient = _add(alex, f"Zed {number:02}")
        item = ExerciseItemFactory(program=ProgramFactory(patient=patient, start_date=START))
        log_sets(item, date(2026, 3, 3), 1)
        log_sets(item, date(2026, 3, 11), 1)
        _hand_over(patient, priya, admin)


@pytest.mark.parametrize("chosen", ["all", "alex", "priya"])
def test_hand_overs_cost_no_more_queries(
    admin_a, alex, priya, chosen, django_assert_max_num_queries
):
    client = signed_in(admin_a)
    extra = {
        "all": {},
        "alex": {"therapist": alex.public_id},
        "priya": {"therapist": priya.public_id},
    }
    data = PERIOD | extra[chosen]
    downloads = [{"format": fmt} for fmt in ("csv", "xlsx", "pdf")] + [
        {"format": "csv", "kind": "detail"}
    ]
    counts = []
    with django_assert_max_num_queries(40) as page:
        client.get(PAGE, data)
    for download in downloads:
        with django_assert_max_num_queries(40) as few:
            streamed(client.post(EXPORT, data | download))
        counts.append(len(few.captured_queries))
    _handed_over(alex, priya, admin_a, 6)

    with django_assert_max_num_queries(len(page.captured_queries)):
        response = client.get(PAGE, data)
    for download, most in zip(downloads, counts, strict=True):
        with django_assert_max_num_queries(most):
            streamed(client.post(EXPORT, data | download))

    rows = response.context["page"].report.rows
    assert len(rows) == {"all": 3 + 2 * 6, "alex": 2 + 6, "priya": 1 + 6}[chosen]
