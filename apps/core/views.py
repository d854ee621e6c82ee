from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    failing = [name for name, ok in checks.items() if not ok]
    if not failing:
        return JsonResponse({"status": "ok", **body})
    message = f"Unavailable: {' and '.join(failing)} not answering."
    response = JsonResponse({"status": "down", **body, "message": message}, status=503)
    response["Retry-After"] = "30"
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    user = request.user
    if getattr(user, "is_patient", False):
        return redirect("patients:today")
    if getattr(user, "is_clinic_staff", False):
        return redirect("patients:list")
    return redirect("admin:index")
