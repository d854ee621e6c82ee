"""An extension point on the staff's patient page: apps in higher layers add a panel (links,
a button) to it without this app importing them or its template loading their tags.

Each such app registers a function in its ``AppConfig.ready()``; the page shows every
registered panel, in the order the apps are installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from apps.patients.models import Patient

PatientPanel = Callable[[HttpRequest, "Patient"], SafeString]

# Keyed by name, so registering again (a second ready() in tests) replaces, never doubles.
_PANELS: dict[str, PatientPanel] = {}


def patient_panel_register(name: str, render: PatientPanel) -> None:
    """Add ``render(request, patient)`` (already escaped HTML) to the patient page."""
    _PANELS[name] = render


def patient_panels(request: HttpRequest, patient: Patient) -> list[SafeString]:
    """The registered panels for this patient, rendered."""
    return [render(request, patient) for render in _PANELS.values()]
