"""What outcomes adds to the staff's patient page (``apps.patients.panels``): the link to the
outcome measures and the one-click progress report. Registered in ``OutcomesConfig.ready``."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from apps.patients.models import Patient


def patient_actions(request: HttpRequest, patient: Patient) -> SafeString:
    # A rendered template is already escaped: Django returns it as a SafeString.
    return render_to_string("outcomes/_patient_actions.html", {"patient": patient}, request=request)
