"""Clinic-admin pages: loading the licensed wording of LEFS and HOOS-12, turning the
remote-monitoring summary on, and the summary itself with its CSV and Excel export."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core.forms import add_service_errors
from apps.outcomes import access, monitoring_selectors, monitoring_services, selectors, services
from apps.outcomes.exports import monitoring_csv, monitoring_xlsx
from apps.outcomes.forms import MonitoringForm, MonthForm, WordingForm
from apps.outcomes.instruments import INSTRUMENTS, instrument
from apps.outcomes.services import OPTION_KEYS

LICENSED = [spec for spec in INSTRUMENTS.values() if spec.licensed]


@login_required
@require_GET
def instruments_page(request: HttpRequest) -> HttpResponse:
    user = access.admin(request.user)
    assert user.clinic_id is not None
    context = {
        "licensed": LICENSED,
        "wordings": selectors.wordings(clinic_id=user.clinic_id),
        "monitoring_form": MonitoringForm(
            initial={"enabled": monitoring_selectors.monitoring_enabled(clinic_id=user.clinic_id)}
        ),
        "ours": [spec for spec in INSTRUMENTS.values() if not spec.licensed],
    }
    return render(request, "outcomes/instruments.html", context)


def _rows(form: WordingForm) -> dict[str, str]:
    upload = form.cleaned_data.get("file")
    content = upload.read() if upload is not None else form.cleaned_data["text"].encode()
    return services.wording_parse_csv(content)


@login_required
@require_http_methods(["GET", "POST"])
def wording(request: HttpRequest, code: str) -> HttpResponse:
    user = access.admin(request.user)
    if code not in {spec.code.value for spec in LICENSED}:
        raise Http404
    spec = instrument(code)
    form = WordingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wording_load(admin=user, instrument=code, rows=_rows(form), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{spec.short} wording loaded: it can now be scheduled.")
            return redirect(reverse("outcomes:instruments"))
    context = {"spec": spec, "form": form, "keys": [*spec.item_keys, *OPTION_KEYS]}
    status = 400 if request.method == "POST" else 200
    return render(request, "outcomes/wording.html", context, status=status)


@login_required
@require_POST
def monitoring_toggle(request: HttpRequest) -> HttpResponse:
    user = access.admin(request.user)
    form = MonitoringForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    monitoring_services.monitoring_set(
        admin=user, enabled=form.cleaned_data.get("enabled", False), request=request
    )
    return redirect(reverse("outcomes:instruments"))


def _month(request: HttpRequest, today: date) -> tuple[MonthForm, date]:
    """The month asked for, or this month (with the form's errors) when it is not valid."""
    form = MonthForm(request.GET or {"month": today.strftime("%Y-%m")}, latest=today)
    if form.is_valid():
        return form, form.cleaned_data["month"]
    return form, today.replace(day=1)


@login_required
@require_GET
def monitoring(request: HttpRequest) -> HttpResponse:
    user = access.admin(request.user)
    assert user.clinic is not None
    if not monitoring_selectors.monitoring_enabled(clinic_id=user.clinic.pk):
        return render(request, "outcomes/monitoring_off.html")
    # The clinic's month, not the server's (UTC): on the evening of the 31st in New York
    # it is still that month.
    today = user.clinic.local_today()
    form, month = _month(request, today)
    rows = monitoring_selectors.monitoring_summary(user=user, month=month, today=today)
    fmt = form.cleaned_data.get("format", "") if form.is_valid() else ""
    if fmt in ("csv", "xlsx"):
        audit_record(
            actor=user, action=Action.EXPORT, detail=f"remote monitoring {month:%Y-%m} {fmt}",
            request=request,
        )  # fmt: skip
        return (monitoring_csv if fmt == "csv" else monitoring_xlsx)(rows, month)
    status = 400 if form.errors else 200
    current = month == today.replace(day=1)
    context = {"form": form, "month": month, "rows": rows, "current": current}
    return render(request, "outcomes/monitoring.html", context, status=status)
