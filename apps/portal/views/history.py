"""The patient's history page: past days, done against prescribed, streak, week adherence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.patients.auth import patient_login_required
from apps.portal.views.today import patient_for
from apps.programs.adherence import DayAdherence
from apps.programs.history import HistoryEntry, history_entries, history_summary

HISTORY_DAYS = 14


@dataclass(frozen=True)
class HistoryDay:
    date: date
    totals: DayAdherence | None
    entries: list[HistoryEntry]

    @property
    def several_programs(self) -> bool:
        """Entries of more than one program: each then names its program (two programs may
        hold the same exercise)."""
        return len({entry.program_id for entry in self.entries}) > 1


@patient_login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request)
    summary = history_summary(patient=patient)
    start = summary.today - timedelta(days=HISTORY_DAYS - 1)
    entries = history_entries(patient=patient, start=start, end=summary.today)
    days = [
        HistoryDay(date=day, totals=summary.days.get(day), entries=entries[day])
        for day in sorted(entries, reverse=True)
    ]
    context = {
        "patient": patient, "summary": summary, "days": days, "history_days": HISTORY_DAYS,
        # Said on the page when the service worker's copy of it is opened offline.
        "kept_at": timezone.now(),
    }  # fmt: skip
    return render(request, "portal/history.html", context)
