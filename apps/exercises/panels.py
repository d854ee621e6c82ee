"""Extension points on the staff's library pages: apps in higher layers (the clinic's photos
and videos, ``apps.media``) add a panel to the exercise page and a thumbnail to the library
list without this app importing them or its templates loading their tags.

Each such app registers a function in its ``AppConfig.ready()``; the exercise page shows every
registered panel under "How to do it", in the order the apps are installed, and the library
list the first thumbnail any provider gives an exercise."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from apps.exercises.models import Exercise

ExercisePanel = Callable[[HttpRequest, "Exercise"], SafeString]
# (request, exercise ids) -> {exercise id: thumbnail URL}, for a whole list at once.
ThumbnailProvider = Callable[[HttpRequest, list[int]], dict[int, str]]

# Keyed by name, so registering again (a second ready() in tests) replaces, never doubles.
_PANELS: dict[str, ExercisePanel] = {}
_THUMBNAILS: dict[str, ThumbnailProvider] = {}


def exercise_panel_register(name: str, render: ExercisePanel) -> None:
    """Add ``render(request, exercise)`` (already escaped HTML) to the exercise page."""
    _PANELS[name] = render


def exercise_panels(request: HttpRequest, exercise: Exercise) -> list[SafeString]:
    """The registered panels for this exercise, rendered."""
    return [render(request, exercise) for render in _PANELS.values()]


def exercise_thumbnails_register(name: str, provide: ThumbnailProvider) -> None:
    """Add ``provide(request, exercise_ids)``: thumbnail URLs for the library list."""
    _THUMBNAILS[name] = provide


def exercise_thumbnails(request: HttpRequest, exercise_ids: list[int]) -> dict[int, str]:
    """Exercise id -> a thumbnail URL from the registered providers (the first one wins)."""
    found: dict[int, str] = {}
    for provide in _THUMBNAILS.values():
        for exercise_id, url in provide(request, exercise_ids).items():
            found.setdefault(exercise_id, url)
    return found
