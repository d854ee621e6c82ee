"""The dashboard's table body is written in Python: it must escape and read as the template
did."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.defaultfilters import date as date_filter

from apps.reports.dashboard_cells import adherence_cell, day_cell, table_rows
from apps.reports.dashboard_figures import Adherence, LadderStatus
from apps.reports.dashboard_selectors import DashboardPatient, DashboardRow, Flag
from tests.factories import PatientFactory


@pytest.mark.parametrize("day", [date(2025, 1, 5), date(2025, 3, 14), date(2026, 12, 31)])
def test_a_day_reads_as_the_template_date_filter_wrote_it(day):
    expected = f'<time datetime="{date_filter(day, "Y-m-d")}">{date_filter(day, "j M Y")}</time>'

    assert day_cell(day) == expected


def test_no_day_reads_never():
    assert "Never" in day_cell(None)


def test_adherence_shows_percent_and_sets_or_nothing_due():
    week = Adherence(prescribed=8, completed=3)
    idle = Adherence(prescribed=0, completed=0)

    assert adherence_cell(week) == (
        '<span class="adherence">38 %</span> <span class="muted units">3 of 8 sets</span>'
    )
    assert "Nothing due" in adherence_cell(idle)


def _row(patient, **changes):
    """A row for ``patient`` with nothing due and nothing flagged, then ``changes``."""
    nothing = Adherence(prescribed=0, completed=0)
    values = {
        "patient": DashboardPatient(
            patient.pk, patient.public_id, patient.full_name, str(patient.therapist)
        ),
        "week": nothing,
        "month": nothing,
        "last_activity": None,
        "missed_days": 0,
        "pending_prompts": 0,
    }
    return DashboardRow(**(values | changes))


@pytest.mark.django_db
def test_every_value_from_the_database_is_escaped():
    patient = PatientFactory(
        full_name='<script>alert("x")</script>', therapist__full_name="Dr <i>O'Neil</i>"
    )
    row = _row(
        patient,
        pending_prompts=2,
        ladders=[LadderStatus("<b>Clam</b>", 2, 4)],
        flags=[Flag("pain", "Pain <8>/10")],
    )

    body = table_rows([row], show_therapist=True)

    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a></th>" in body
    assert f'href="/patients/{patient.public_id}/progress/"' in body
    assert "<td>Dr &lt;i&gt;O&#x27;Neil&lt;/i&gt;</td>" in body
    assert "&lt;b&gt;Clam&lt;/b&gt;: level 2 of 4" in body
    assert 'class="badge danger flag-pain">Pain &lt;8&gt;/10</span>' in body
    assert '<td><span class="badge">2</span></td>' in body
    assert body.startswith('\n    <tr class="flagged">')


@pytest.mark.django_db
def test_a_therapist_sees_no_therapist_column_and_an_unflagged_row_no_class():
    patient = PatientFactory(therapist__full_name="Dr Someone")

    body = table_rows([_row(patient)], show_therapist=False)

    assert "Dr Someone" not in body
    assert "<tr>" in body
    assert body.count("<td>") == 6  # and the flags cell, with its class
    assert '<td class="flags"><span class="muted">None</span></td>' in body
