"""Reads for outcome measures: what is due on the patient's Today, each measure's trend with
its verdict. The progress report's data is in ``report_selectors``, remote monitoring's
reads in ``monitoring_selectors``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from apps.core.prepared import prepared_cursor
from apps.outcomes import instruments as inst
from apps.outcomes.instruments import Code, Instrument, Verdict
from apps.outcomes.models import (
    Answer,
    ClinicWording,
    MeasurePlan,
    ProgressReport,
    Questionnaire,
    Status,
)
from apps.patients.models import Patient
from apps.programs.models import Program


# --- Access ---------------------------------------------------------------------------------
def questionnaire_for_patient(*, patient: Patient, public_id: Any) -> Questionnaire | None:
    """The patient's own questionnaire, or None (another's is never found)."""
    return (
        Questionnaire.objects.filter(patient=patient, public_id=public_id)
        .select_related("program", "patient__clinic")
        .first()
    )


def wording_for(*, clinic_id: int, code: str) -> ClinicWording | None:
    return ClinicWording.objects.filter(clinic_id=clinic_id, instrument=code).first()


def wordings(*, clinic_id: int) -> dict[str, ClinicWording]:
    return {w.instrument: w for w in ClinicWording.objects.filter(clinic_id=clinic_id)}


def assigned_programs(patient: Patient) -> QuerySet[Program]:
    """The patient's assigned programs: a draft (never assigned, never shown to the patient)
    is no part of their care, so the referrer is not told about it."""
    return Program.objects.filter(patient=patient, is_template=False, is_active=True)


def patient_measure_plans(*, patient: Patient) -> list[tuple[Program, list[MeasurePlan]]]:
    """The patient's assigned programs, each with its measure plans (``assigned_programs``:
    measures follow the care the patient is given, and a draft is none of it yet)."""
    programs = list(assigned_programs(patient))
    by_program: dict[int, list[MeasurePlan]] = {}
    for plan in MeasurePlan.objects.filter(program__in=programs):
        by_program.setdefault(plan.program_id, []).append(plan)
    return [(program, by_program.get(program.pk, [])) for program in programs]


def patient_drafts(*, patient: Patient) -> list[Program]:
    """The patient's drafts (never assigned), which the measures page names and leaves out."""
    return list(Program.objects.filter(patient=patient, is_template=False, is_active=False))


def recent_reports(*, patient: Patient, limit: int) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(patient=patient).select_related("author")[:limit]


def measure_plans(*, program: Program) -> list[MeasurePlan]:
    return list(MeasurePlan.objects.filter(program=program))


# --- The patient's questions ----------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    key: str
    text: str
    value: int | None
    scale: str = ""  # the scale the item scores into


def baseline_activities(questionnaire: Questionnaire) -> list[str]:
    """The PSFS activities named at the program's first submitted PSFS (none yet: []). A
    program that continues an earlier version (``MeasurePlan.counts_from``) keeps the
    activities named since the first version's start."""
    submitted = Questionnaire.objects.filter(instrument=Code.PSFS, status=Status.SUBMITTED)
    since = (
        MeasurePlan.objects.filter(program_id=questionnaire.program_id, instrument=Code.PSFS)
        .values_list("counts_from", flat=True)
        .first()
    )
    if since is not None:
        submitted = submitted.filter(patient_id=questionnaire.patient_id, due_on__gte=since)
    else:
        submitted = submitted.filter(program_id=questionnaire.program_id)
    first = submitted.exclude(pk=questionnaire.pk).order_by("due_on").first()
    return list(first.activities) if first else []


def activities_shown(questionnaire: Questionnaire) -> list[str]:
    """A PSFS's activities: its own once named, else the baseline's to re-rate."""
    if questionnaire.instrument != Code.PSFS:
        return []
    return list(questionnaire.activities) or baseline_activities(questionnaire)


def questions(questionnaire: Questionnaire) -> list[Question]:
    """The questions to show, with our or the clinic's wording and any saved answer."""
    spec = inst.instrument(questionnaire.instrument)
    saved = dict(questionnaire.answers.values_list("item_key", "value"))
    if spec.patient_items:
        names = activities_shown(questionnaire)
        return [Question(k, n, saved.get(k)) for k, n in zip(spec.item_keys, names, strict=False)]
    texts = {item.key: item.text for item in spec.items}
    if spec.licensed:
        wording = wording_for(clinic_id=questionnaire.patient.clinic_id, code=spec.code)
        texts = dict(wording.items) if wording else {}
    scale_of = {key: scale.key for scale in spec.scales for key in scale.items}
    return [Question(k, texts.get(k, k), saved.get(k), scale_of[k]) for k in spec.item_keys]


def answer_labels(questionnaire: Questionnaire) -> tuple[str, str]:
    """The labels for the two ends of the answer range (a licensed form's first and last)."""
    spec = inst.instrument(questionnaire.instrument)
    if spec.licensed:
        wording = wording_for(clinic_id=questionnaire.patient.clinic_id, code=spec.code)
        options = list(wording.options) if wording else ["", ""]
        return options[0], options[-1]
    return spec.ends


def due_questionnaires(*, patient: Patient, today: date | None = None) -> list[Questionnaire]:
    """What the patient's Today asks for: per program and instrument, the latest open
    questionnaire due by today (an older one left open counts as missed), in one query."""
    today = today or patient.local_today()
    rows = (
        Questionnaire.objects.filter(
            patient=patient,
            due_on__lte=today,
            program__is_active=True,
        )
        .order_by("program_id", "instrument", "-due_on")
        .only("public_id", "instrument", "due_on", "status", "program_id", "started_at")
    )
    latest: dict[tuple[int, str], Questionnaire] = {}
    for row in rows:
        latest.setdefault((row.program_id, row.instrument), row)
    return [q for q in latest.values() if q.status == Status.OPEN]


def due_count(*, patient: Patient, on: date) -> int:
    """How many questionnaires wait on the patient's Today: for the line the day's exercise
    reminder adds (notifications calls this; there is never a separate message)."""
    return len(due_questionnaires(patient=patient, today=on))


def due_counts(*, days: dict[int, date]) -> dict[int, int]:
    """``due_count`` for many patients at once (patient id -> that patient's local day), in one
    query: the reminder fan-out asks it for each batch instead of once per message."""
    if not days:
        return {}
    rows = (
        Questionnaire.objects.filter(
            patient_id__in=list(days),
            due_on__lte=max(days.values()),
            program__is_active=True,
        )
        .order_by("patient_id", "program_id", "instrument", "-due_on")
        .values_list("patient_id", "program_id", "instrument", "due_on", "status")
    )
    latest: dict[tuple[int, int, str], str] = {}
    for patient_id, program_id, instrument, due_on, status in rows:
        if due_on <= days[patient_id]:
            latest.setdefault((patient_id, program_id, instrument), status)
    counts = dict.fromkeys(days, 0)
    for (patient_id, _, _), status in latest.items():
        counts[patient_id] += status == Status.OPEN
    return counts


# --- Trends ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    due_on: date
    submitted: date
    score: Decimal | None
    public_id: str


@dataclass(frozen=True)
class ActivityChange:
    """One PSFS activity, baseline rating to latest, against its own MDC (3 points): the
    verdict says whether the change is beyond measurement error, not whether it matters."""

    name: str
    baseline: int | None
    latest: int | None

    @property
    def verdict(self) -> inst.ActivityVerdict | None:
        return inst.activity_verdict(self.baseline, self.latest)


@dataclass
class Trend:
    spec: Instrument
    scale_key: str
    scale_label: str
    points: list[Point] = field(default_factory=list)
    activities: list[ActivityChange] = field(default_factory=list)

    @property
    def scored(self) -> list[Point]:
        return [p for p in self.points if p.score is not None]

    @property
    def baseline(self) -> Decimal | None:
        return self.scored[0].score if self.scored else None

    @property
    def latest(self) -> Decimal | None:
        return self.scored[-1].score if len(self.scored) > 1 else None

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def verdict(self) -> Verdict | None:
        if self.spec.code == Code.GROC:
            return None  # a rating of change itself: shown as given
        return inst.verdict(self.spec, self.baseline, self.latest)

    @property
    def band(self) -> tuple[Decimal, Decimal] | None:
        if self.baseline is None or self.spec.code == Code.GROC:
            return None
        return inst.band(self.spec, self.baseline)

    def as_dict(self) -> dict[str, Any]:
        band = self.band
        return {
            "instrument": self.spec.code.value,
            "name": self.spec.short,
            "scale": self.scale_key,
            "scale_label": self.scale_label,
            "better": self.spec.better.value,
            "low": self.spec.scales[0].low if self.scale_key else None,
            "high": next(s.high for s in self.spec.scales if s.key == self.scale_key),
            "meaningful_change": self.spec.meaningful_change or None,
            "measurement_error": self.spec.measurement_error or None,
            "verdict_needs": self.spec.meaningful.label if self.spec.meaningful else None,
            "baseline": _num(self.baseline),
            "latest": _num(self.latest),
            "change": _num(self.change),
            "verdict": self.verdict.value if self.verdict else None,
            "band": [_num(band[0]), _num(band[1])] if band else None,
            "activities": [
                {
                    "name": a.name,
                    "baseline": a.baseline,
                    "latest": a.latest,
                    "verdict": a.verdict.value if a.verdict else None,
                }
                for a in self.activities
            ],
            "points": [
                {
                    "date": p.submitted.isoformat(),
                    "due_on": p.due_on.isoformat(),
                    "score": _num(p.score),
                }
                for p in self.points
            ],
        }


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _activity_changes(first: Questionnaire, last: Questionnaire) -> list[ActivityChange]:
    """The PSFS activities named at ``first``, each rated then and at ``last`` (one query)."""
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    answers = Answer.objects.filter(questionnaire_id__in=[first.pk, last.pk])
    for questionnaire_id, key, value in answers.values_list(
        "questionnaire_id", "item_key", "value"
    ):
        ratings[questionnaire_id][key] = value
    return [
        ActivityChange(name, ratings[first.pk].get(key), ratings[last.pk].get(key))
        for key, name in zip(inst.PSFS_KEYS, first.activities, strict=False)
    ]


def patient_trends(*, patient: Patient) -> list[Trend]:
    """Each measure's scores over time (one trend per scale), oldest first, in one query
    (and one more for the PSFS activities once there are two PSFS)."""
    submitted = Questionnaire.objects.filter(patient=patient, status=Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
    trends: dict[tuple[str, str], Trend] = {}
    psfs: list[Questionnaire] = []
    fields = ("public_id", "instrument", "due_on", "submitted_at", "scores", "activities")
    for q in submitted.only(*fields):
        if q.instrument == Code.PSFS:
            psfs.append(q)
        spec = inst.instrument(q.instrument)
        for scale in spec.scales:
            trend = trends.setdefault(
                (q.instrument, scale.key), Trend(spec, scale.key, scale.label)
            )
            raw = q.scores.get(scale.key)
            assert q.submitted_at is not None
            trend.points.append(
                Point(
                    q.due_on, q.submitted_at.astimezone(patient.tz).date(),
                    Decimal(raw) if raw is not None else None, str(q.public_id),
                )
            )  # fmt: skip
    if len(psfs) > 1:
        trends[(Code.PSFS, inst.PSFS.main_scale.key)].activities = _activity_changes(
            psfs[0], psfs[-1]
        )
    order = list(inst.INSTRUMENTS)
    return sorted(trends.values(), key=lambda t: (order.index(t.spec.code), t.scale_key))


# Every submitted questionnaire (but the GROC) of the patients, oldest first, each with
# whether one of the patient's assigned programs schedules its measure now: one statement
# for the dashboard's 200 rows, prepared on PostgreSQL, where two querysets each compiled a
# subquery of the panel on every load (bench/README.md, "Twenty-sixth session").
_VERDICT_ROWS_SQL = """
    SELECT q.patient_id, q.instrument, q.scores,
           EXISTS (SELECT 1 FROM {plan} mp JOIN {program} p ON p.id = mp.program_id
                   WHERE p.patient_id = q.patient_id AND mp.instrument = q.instrument
                     AND p.is_active = %s AND p.is_template = %s)
    FROM {questionnaire} q
    WHERE q.patient_id {among} AND q.status = %s AND q.instrument <> %s
    ORDER BY q.patient_id, q.submitted_at
"""


def _verdict_rows(patient_ids: Sequence[int]) -> list[tuple[int, str, dict[str, Any], bool]]:
    connection = connections[router.db_for_read(Questionnaire)]
    ids: list[Any]
    if connection.vendor == "postgresql":
        among, ids = "= ANY(%s)", [list(patient_ids)]  # one array: 200 ids as one parameter
    else:
        among, ids = f"IN ({', '.join('%s' for _ in patient_ids)})", list(patient_ids)
    # Only table names from the models are interpolated; every value is a parameter.
    sql = _VERDICT_ROWS_SQL.format(  # nosec B608
        plan=MeasurePlan._meta.db_table,
        program=Program._meta.db_table,
        questionnaire=Questionnaire._meta.db_table,
        among=among,
    )
    params: list[Any] = [True, False, *ids, Status.SUBMITTED.value, Code.GROC.value]
    with prepared_cursor(connection.alias) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # As the ORM reads the column (psycopg hands JSON over as text to Django's field).
    scores = Questionnaire._meta.get_field("scores")
    return [
        (patient_id, code, scores.from_db_value(raw, None, connection), bool(scheduled))  # type: ignore[arg-type]
        for patient_id, code, raw, scheduled in rows
    ]


def main_verdicts(*, patient_ids: Sequence[int]) -> dict[int, tuple[str, Verdict | None]]:
    """The dashboard column: each patient's latest verdict on their program's main measure,
    the first of NPRS, PSFS, LEFS, HOOS-12 that the program schedules (a patient whose
    program no longer schedules any: the first they answered), in one query."""
    if not patient_ids:
        return {}
    scores: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    scheduled: dict[int, set[str]] = defaultdict(set)
    for patient_id, code, values, is_scheduled in _verdict_rows(patient_ids):
        main = inst.instrument(code).main_scale.key
        if values.get(main) is not None:
            scores[patient_id][code].append(Decimal(values[main]))
            if is_scheduled:
                scheduled[patient_id].add(code)
    result: dict[int, tuple[str, Verdict | None]] = {}
    order: list[Code] = [c for c in inst.INSTRUMENTS if c != Code.GROC]
    for patient_id, by_code in scores.items():
        candidates = [c for c in by_code if c in scheduled[patient_id]] or list(by_code)
        code = min(candidates, key=lambda c: order.index(Code(c)))
        spec, series = inst.instrument(code), by_code[code]
        latest = series[-1] if len(series) > 1 else None
        result[patient_id] = (spec.short, inst.verdict(spec, series[0], latest))
    return result
