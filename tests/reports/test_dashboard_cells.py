"""The dashboard's cells are formatted in Python: they must escape and read as the template
did."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.defaultfilters import date as date_filter

from apps.programs.adherence import AdherenceSummary
from apps.reports.dashboard_cells import adherence_cell, day_cell, row_cells
from apps.reports.selectors import DashboardRow, Flag, LadderStatus
from tests.factories import PatientFactory


@pytest.mark.parametrize("day", [date(2025, 1, 5), date(2025, 3, 14), date(2026, 12, 31)])
def test_a_day_reads_as_the_template_date_filter_wrote_it(day):
    expected = f'<time datetime="{date_filter(day, "Y-m-d")}">{date_filter(day, "j M Y")}</time>'

    assert day_cell(day) == expected


def test_no_day_reads_never():
    assert "Never" in day_cell(None)


def test_adherence_shows_percent_and_sets_or_nothing_due():
    week = AdherenceSummary(
        patient_id=1, start=date(2025, 3, 8), end=date(2025, 3, 14), prescribed=8, completed=3
    )
    idle = AdherenceSummary(patient_id=1, start=date(2025, 3, 8), end=date(2025, 3, 14))

    assert adherence_cell(week) == (
        '<span class="adherence">38%</span> <span class="muted units">3 of 8 sets</span>'
    )
    assert "Nothing due" in adherence_cell(idle)


@pytest.mark.django_db
def test_every_value_from_the_database_is_escaped():
    patient = PatientFactory(full_name='<script>alert("x")</script>')
    summary = AdherenceSummary(patient_id=patient.pk, start=date(2025, 3, 8), end=date(2025, 3, 14))
    row = DashboardRow(
        patient=patient,
        week=summary,
        month=summary,
        last_activity=None,
        missed_days=0,
        pending_prompts=2,
        ladders=[LadderStatus("<b>Clam</b>", 2, 4)],
        flags=[Flag("pain", "Pain <8>/10")],
    )

    (cells,) = row_cells([row])

    assert "<script>" not in cells.patient
    assert "&lt;script&gt;" in cells.patient
    assert f"/{patient.public_id}/" in cells.patient
    assert "&lt;b&gt;Clam&lt;/b&gt;: level 2 of 4" in cells.ladders
    assert 'class="badge danger flag-pain">Pain &lt;8&gt;/10</span>' in cells.flags
    assert cells.prompts == '<span class="badge">2</span>'
    assert cells.flagged
