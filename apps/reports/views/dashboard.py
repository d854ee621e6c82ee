"""The therapist dashboard and the patient progress page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import InvalidPage, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import find_in_scope, get_for_staff, require_staff
from apps.clinics.models import User
from apps.patients.selectors import patient_for_page
from apps.reports.dashboard_cells import table_rows
from apps.reports.dashboard_selectors import (
    LOW_ADHERENCE_PERCENT,
    MISSED_DAYS_FLAG,
    InvalidSort,
    dashboard_rows,
)
from apps.reports.selectors import clinic_therapists, patient_logs, patient_progress

LOGS_PER_PAGE = 25
COLUMNS = [
    ("name", "Patient"),
    ("therapist", "Therapist"),
    ("week", "Last 7 days"),
    ("month", "Last 30 days"),
    ("last_activity", "Last activity"),
    ("ladders", "Ladder levels"),
    ("prompts", "Prompts waiting"),
    ("flags", "Flags"),
]


class BadRequest(ValueError):
    """Input the page cannot use; the message says what is wrong."""


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    context = {"message": message}
    return render(request, "reports/dashboard_bad_request.html", context, status=400)


def _therapist_filter(user: User, raw: str) -> User | None:
    """The therapist an admin asked for (``?therapist=<public id>``); therapists see their
    own patients whatever they ask."""
    if not raw or not user.is_clinic_admin:
        return None
    try:
        public_id = uuid.UUID(raw)
    except ValueError:
        raise BadRequest(f"The therapist {raw!r} is not a valid id.") from None
    therapist = find_in_scope(clinic_therapists(user=user), public_id)
    if therapist is None:
        raise BadRequest("That therapist does not work in your clinic.")
    return therapist


def _columns(user: User, sort: str, therapist: User | None) -> list[dict[str, str]]:
    """Header links: a column sorts ascending first, then toggles."""
    current = sort.removeprefix("-")
    columns = []
    for key, label in COLUMNS:
        if key == "therapist" and not user.is_clinic_admin:
            continue
        ascending = key == current and not sort.startswith("-")
        query = {"sort": f"-{key}" if ascending else key}
        if therapist is not None:
            query["therapist"] = str(therapist.public_id)
        aria = ("descending" if sort.startswith("-") else "ascending") if key == current else ""
        columns.append({"key": key, "label": label, "query": urlencode(query), "aria": aria})
    return columns


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    sort = request.GET.get("sort", "name")
    try:
        therapist = _therapist_filter(user, request.GET.get("therapist", ""))
        assert user.clinic is not None
        rows = dashboard_rows(user=user, clinic=user.clinic, therapist=therapist, sort=sort)
    except (BadRequest, InvalidSort) as exc:
        return _bad_request(request, str(exc))
    audit_record(actor=user, action=Action.VIEW, detail="dashboard", request=request)
    context = {
        "rows": rows,
        "table_rows": table_rows(rows, show_therapist=user.is_clinic_admin),
        "clinic": user.clinic,
        "columns": _columns(user, sort, therapist),
        "therapist": therapist,
        "therapists": list(clinic_therapists(user=user)) if user.is_clinic_admin else [],
        "missed_flag_days": MISSED_DAYS_FLAG,
        "low_adherence_percent": LOW_ADHERENCE_PERCENT,
        "link_max_failures": settings.PATIENT_LINK_MAX_FAILURES,
    }
    return render(request, "reports/dashboard.html", context)


def _page_number(raw: str) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        raise BadRequest(f"The page {raw!r} is not a whole number.") from None
    if number < 1:
        raise BadRequest("Pages start at 1.")
    return number


@login_required
@require_GET
def patient_progress_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = require_staff(request)
    patient = get_for_staff(user, patient_for_page(user=user), public_id)
    try:
        paginator = Paginator(patient_logs(patient=patient), LOGS_PER_PAGE)
        logs = paginator.page(_page_number(request.GET.get("page", "")))
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    except InvalidPage:
        return _bad_request(
            request, f"There is no such page: the log history has {paginator.num_pages} page(s)."
        )
    progress = patient_progress(patient=patient)
    audit_record(actor=user, action=Action.VIEW, patient=patient, target=patient, request=request)
    context = {
        "patient": patient,
        "progress": progress,
        "chart_data": {
            **progress.chart_data(),
            "pain_alert_level": patient.clinic.pain_alert_level,
        },
        "logs": logs,
    }
    return render(request, "reports/progress.html", context)
