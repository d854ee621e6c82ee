"""An extension point on the staff's exercise page: apps in higher layers (the clinic's
photos and videos, ``apps.media``) add a panel to it without this app importing them or its
template loading their tags.

Each such app registers a function in its ``AppConfig.ready()``; the page shows every
registered panel under "How to do it", in the order the apps are installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from apps.exercises.models import Exercise

ExercisePanel = Callable[[HttpRequest, "Exercise"], SafeString]

# Keyed by name, so registering again (a second ready() in tests) replaces, never doubles.
_PANELS: dict[str, ExercisePanel] = {}


def exercise_panel_register(name: str, render: ExercisePanel) -> None:
    """Add ``render(request, exercise)`` (already escaped HTML) to the exercise page."""
    _PANELS[name] = render


def exercise_panels(request: HttpRequest, exercise: Exercise) -> list[SafeString]:
    """The registered panels for this exercise, rendered."""
    return [render(request, exercise) for render in _PANELS.values()]
