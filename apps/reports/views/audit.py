"""The clinic admin's audit log: a filtered page and a CSV export (itself audited)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.audit.describe import describe_records
from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import AuditFilter, audit_entries_for
from apps.audit.services import audit_record
from apps.clinics.access import require_admin
from apps.clinics.models import User
from apps.patients.models import Patient
from apps.reports.audit_forms import AuditFilterForm

PAGE_SIZE = 50
CSV_COLUMNS = (
    "sequence",
    "at_utc",
    "actor",
    "action",
    "patient_ref",
    "record_type",
    "record_ref",
    "detail",
    "ip_address",
    "entry_hash",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters(request: HttpRequest, admin: User) -> tuple[AuditFilterForm, AuditFilter | None]:
    form = AuditFilterForm(request.GET or None, admin=admin)
    if not request.GET:
        return form, AuditFilter()
    return form, form.to_filter() if form.is_valid() else None


@login_required
@never_cache
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = require_admin(request)
    form, filters = _filters(request, admin)
    if filters is None:
        refused = {"form": form, "page": None, **_patient_links(request)}
        return render(request, "reports/audit_log.html", refused, status=400)
    paginator = Paginator(audit_entries_for(user=admin, filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    records = describe_records(page.object_list)
    rows = [(entry, records.get(entry.pk, "")) for entry in page.object_list]
    context: dict[str, object] = {"form": form, "page": page, "rows": rows}
    context.update(query=query.urlencode(), **_patient_links(request))
    return render(request, "reports/audit_log.html", context)


def _patient_links(request: HttpRequest) -> dict[str, str]:
    """The page's addresses with the patient filter left out, and the start of one with a
    patient chosen (the links of an ambiguous search and of "Any patient")."""
    others = request.GET.copy()
    for key in ("page", "patient", "patient_search"):
        others.pop(key, None)
    rest = others.urlencode()
    return {"without_patient": rest, "choose_patient": f"{rest}&patient=" if rest else "patient="}


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _row(entry: AuditEntry) -> list[str]:
    values = (
        entry.clinic_sequence,
        entry.at.astimezone(UTC).isoformat(),
        entry.actor_label,
        entry.action,
        entry.patient_ref,
        entry.target_type,
        entry.target_ref,
        entry.detail,
        entry.ip_address,
        entry.entry_hash,
    )
    return [_cell(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries:
        yield writer.writerow(_row(entry))


@login_required
@never_cache
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    admin = require_admin(request)
    form, filters = _filters(request, admin)
    if filters is None:
        refused = {"form": form, "page": None, **_patient_links(request)}
        return render(request, "reports/audit_log.html", refused, status=400)
    patient: Patient | None = form.chosen_patient
    audit_record(
        actor=admin, action=Action.EXPORT, patient=patient, detail="audit log CSV", request=request
    )
    entries = audit_entries_for(user=admin, filters=filters).iterator(chunk_size=2000)
    response = StreamingHttpResponse(_csv_lines(entries), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
