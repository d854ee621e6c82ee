"""The patient page's extension point: higher layers add panels without the patients app
knowing them."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils.safestring import SafeString

from apps.patients import panels


def test_registered_panels_render_in_order_and_registering_again_replaces(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    panels.patient_panel_register("first", lambda request, patient: SafeString("<p>1</p>"))
    panels.patient_panel_register("second", lambda request, patient: SafeString("<p>2</p>"))
    panels.patient_panel_register("first", lambda request, patient: SafeString("<p>one</p>"))

    shown = panels.patient_panels(RequestFactory().get("/"), patient=None)

    assert shown == ["<p>one</p>", "<p>2</p>"]


def test_outcomes_registers_its_panel_when_the_apps_load():
    from apps.outcomes.panels import patient_actions

    assert panels._PANELS["outcomes"] is patient_actions
