"""The dashboard's outcome column (``main_verdicts``) read in one statement: it must say what
the two querysets it replaced said, for every kind of patient a panel holds."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, cast

import pytest
from django.utils import timezone

from apps.outcomes import instruments as inst
from apps.outcomes.instruments import Code, Verdict
from apps.outcomes.models import MeasurePlan, Questionnaire, Status
from apps.outcomes.selectors import main_verdicts
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import PatientFactory, ProgramFactory, TemplateProgramFactory

pytestmark = pytest.mark.django_db


def _reference(patient_ids: list[int]) -> dict[int, tuple[str, Verdict | None]]:
    """The definition it replaced: the measures the patients' assigned programs schedule,
    then their submitted questionnaires (but the GROC) oldest first, by the ORM."""
    plans = MeasurePlan.objects.filter(
        program__patient_id__in=patient_ids, program__is_active=True, program__is_template=False
    ).values_list("program__patient_id", "instrument")
    scheduled: dict[int, set[str]] = defaultdict(set)
    for patient_id, code in plans:
        scheduled[patient_id].add(code)
    rows = (
        Questionnaire.objects.filter(patient_id__in=patient_ids, status=Status.SUBMITTED)
        .exclude(instrument=Code.GROC)
        .order_by("patient_id", "submitted_at")
        .values_list("patient_id", "instrument", "scores")
    )
    scores: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for patient_id, code, values in rows:
        main = inst.instrument(code).main_scale.key
        if values.get(main) is not None:
            scores[patient_id][code].append(Decimal(values[main]))
    order: list[Code] = [c for c in inst.INSTRUMENTS if c != Code.GROC]
    result: dict[int, tuple[str, Verdict | None]] = {}
    for patient_id, by_code in scores.items():
        candidates = [c for c in by_code if c in scheduled[patient_id]] or list(by_code)
        code = min(candidates, key=lambda c: order.index(Code(c)))
        spec, series = inst.instrument(code), by_code[code]
        result[patient_id] = (
            spec.short,
            inst.verdict(spec, series[0], series[-1] if len(series) > 1 else None),
        )
    return result


_DAY = dt.date(2026, 11, 2)


def _submitted(program: Program, code: str, days: int, scores: dict[str, Any]) -> None:
    assert program.patient is not None
    Questionnaire.objects.create(
        patient=program.patient, program=program, instrument=code,
        due_on=_DAY + dt.timedelta(days=days), status=Status.SUBMITTED, scores=scores,
        submitted_at=timezone.make_aware(dt.datetime(2026, 11, 2, 9)) + dt.timedelta(days=days),
        submission_id=uuid.uuid4(),
    )  # fmt: skip


def _panel() -> list[Patient]:
    """Patients whose column each takes another branch."""
    patients = [cast(Patient, PatientFactory()) for _ in range(7)]
    programs = [cast(Program, ProgramFactory(patient=p)) for p in patients]
    nprs, psfs, lefs, groc = Code.NPRS, Code.PSFS, Code.LEFS, Code.GROC
    # 0: NPRS worse (6 -> 8), scheduled.
    MeasurePlan.objects.create(program=programs[0], instrument=nprs)
    _submitted(programs[0], nprs, 0, {"pain": 6})
    _submitted(programs[0], nprs, 14, {"pain": 8})
    # 1: NPRS and PSFS answered, only PSFS scheduled now: the PSFS.
    MeasurePlan.objects.create(program=programs[1], instrument=psfs)
    _submitted(programs[1], nprs, 0, {"pain": 7})
    _submitted(programs[1], psfs, 0, {"function": "3.0"})
    _submitted(programs[1], psfs, 14, {"function": "6.5"})
    # 2: NPRS scheduled only by an ended (inactive) program and by a template: not scheduled;
    # nothing scheduled was answered, so the first measure answered in the order (NPRS).
    ended = cast(Program, ProgramFactory(patient=patients[2], is_active=False))
    MeasurePlan.objects.create(program=ended, instrument=lefs)
    MeasurePlan.objects.create(program=programs[2], instrument=psfs)
    _submitted(programs[2], lefs, 0, {"function": 40})
    _submitted(programs[2], lefs, 14, {"function": 52})
    _submitted(programs[2], nprs, 3, {"pain": 5})
    template = cast(Program, TemplateProgramFactory())
    MeasurePlan.objects.create(program=template, instrument=nprs)
    # 3: only the GROC answered: no column.
    MeasurePlan.objects.create(program=programs[3], instrument=groc)
    _submitted(programs[3], groc, 14, {"change": 3})
    # 4: the main scale unanswered (PSFS with too few activities): skipped, LEFS instead.
    _submitted(programs[4], psfs, 0, {"function": None})
    _submitted(programs[4], lefs, 0, {"function": 30})
    # 5: one NPRS only: the measure without a verdict yet.
    MeasurePlan.objects.create(program=programs[5], instrument=nprs)
    _submitted(programs[5], nprs, 0, {"pain": 4})
    # 6: an open (unsubmitted) questionnaire only: no column.
    Questionnaire.objects.create(
        patient=patients[6], program=programs[6], instrument=nprs, due_on=_DAY,
        scores={"pain": 9},
    )  # fmt: skip
    return patients


def test_main_verdicts_say_what_the_two_query_definition_said() -> None:
    patients = _panel()
    ids = [p.pk for p in patients]

    found = main_verdicts(patient_ids=ids)

    assert found == _reference(ids)
    by_patient = [found.get(p.pk) for p in patients]
    assert by_patient[0] == ("NPRS", "worse")
    assert by_patient[1] is not None
    assert by_patient[1][0] == "PSFS"
    assert by_patient[2] == ("NPRS", None)
    assert by_patient[3] is None
    assert by_patient[4] is not None
    assert by_patient[4][0] == "LEFS"
    assert by_patient[5] == ("NPRS", None)
    assert by_patient[6] is None


def test_main_verdicts_read_only_the_patients_asked_for(
    django_assert_max_num_queries: Any,
) -> None:
    patients = _panel()

    with django_assert_max_num_queries(1):
        found = main_verdicts(patient_ids=[patients[0].pk, patients[5].pk])

    assert set(found) == {patients[0].pk, patients[5].pk}
    assert main_verdicts(patient_ids=[]) == {}
