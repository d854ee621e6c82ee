"""Small pieces the pages of higher layers include without importing outcomes code: the
patient's due questionnaires on Today (portal), and the trends on the staff progress page
(reports). The staff's patient page, a lower layer's, gets its panel through
``apps.patients.panels`` instead (see ``apps/outcomes/panels.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from apps.outcomes.charts import chart
from apps.outcomes.selectors import due_questionnaires, patient_trends
from apps.patients.models import Patient

register = template.Library()


@register.inclusion_tag("outcomes/_due.html")
def outcome_due(patient: Patient) -> dict[str, Any]:
    """The questionnaires due today, as links (one query)."""
    return {"due": due_questionnaires(patient=patient)}


@register.inclusion_tag("outcomes/_trends.html")
def outcome_trends(patient: Patient) -> dict[str, Any]:
    """Each measure over time: chart, baseline, band, verdict, and the same as a table."""
    trends = patient_trends(patient=patient)
    return {"patient": patient, "trends": [(t, chart(t)) for t in trends]}
