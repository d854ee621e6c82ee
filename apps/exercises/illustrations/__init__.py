"""Drawings of the shared library's exercises, made by the app from ``data/poses.toml``.

pose (``model``) -> primitives (``scene``) -> SVG for the pages (``svg``) or reportlab shapes
for the printed handout (``pdf``). This module is the way in for the rest of the app.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from apps.exercises.illustrations.data import POSES_PATH, PoseDataError, load_poses
from apps.exercises.illustrations.scene import Picture, Spec, picture
from apps.exercises.illustrations.svg import document_size, render_svg

__all__ = [
    "PoseDataError",
    "alt_text",
    "illustration_for",
    "illustration_svg",
    "illustration_version",
    "specs",
]

logger = logging.getLogger(__name__)
# pair: start and end, still; loop: the same with the gentle loop (the pages offer it only to
# visitors who have not asked for less motion); stack: start above end, for the enlarged view
# on a phone held upright; thumb: the end pose alone, still.
VARIANTS = ("pair", "loop", "stack", "thumb")
_SOURCES = tuple(sorted(Path(__file__).resolve().parent.glob("*.py")))


@dataclass(frozen=True)
class Illustration:
    """What a page needs to show an exercise's drawing."""

    key: str
    alt: str
    pair_url: str
    loop_url: str
    stack_url: str
    thumb_url: str
    pair_size: tuple[int, int]  # the image's intrinsic shape, for width/height attributes
    stack_size: tuple[int, int]
    thumb_size: tuple[int, int]


@cache
def _loaded(stamp: float) -> tuple[dict[str, Spec], str]:
    """The poses and a version that changes with the file or the drawing code. Keyed by the
    file's modification time, so a corrected angle shows after a save, without a restart.

    A broken file must not break the patient's page: it is logged (and reported by
    ``manage.py check``), and the pages show no drawings until it is fixed."""
    digest = hashlib.sha256(POSES_PATH.read_bytes())
    for source in _SOURCES:
        digest.update(source.read_bytes())
    try:
        return load_poses(), digest.hexdigest()[:12]
    except PoseDataError:
        logger.exception("poses.toml is not valid; exercise drawings are off until it is fixed")
        return {}, "invalid"


def _current() -> tuple[dict[str, Spec], str]:
    return _loaded(POSES_PATH.stat().st_mtime)


def specs() -> dict[str, Spec]:
    return _current()[0]


def illustration_version() -> str:
    return _current()[1]


def _picture(key: str, variant: str) -> Picture:
    spec = specs()[key]
    return picture(spec, panels=("end",) if variant == "thumb" else ("start", "end"))


@cache
def _svg(key: str, variant: str, version: str, title: str) -> str:
    return render_svg(
        _picture(key, variant),
        title=title,
        animate=variant == "loop",
        labels=variant != "thumb",
        stacked=variant == "stack",
    )


def illustration_svg(key: str, *, variant: str = "pair") -> str:
    """The SVG document of a library exercise's drawing. ``KeyError`` for an unknown key."""
    if variant not in VARIANTS:
        raise KeyError(variant)
    title = "The movement" if variant == "thumb" else "Start and end positions"
    return _svg(key, variant, illustration_version(), title)


def alt_text(exercise: Any) -> str:
    """A text alternative built from the exercise's own steps: the first step sets the start
    position, the step the end pose shows (``end_step`` in poses.toml) the movement."""
    spec = specs().get(exercise.key)
    steps = [str(step).strip() for step in exercise.steps or [] if str(step).strip()]
    if spec is None or not steps:
        return f"Drawing of {exercise.name}."
    end = steps[min(spec.end_step, len(steps)) - 1]
    return f"Drawing of {exercise.name}. Start: {steps[0]} Movement: {end}"


@cache
def _sizes(key: str, version: str) -> dict[str, tuple[int, int]]:
    pair = _picture(key, "pair")
    sizes = {
        "pair": document_size(pair, labels=True),
        "stack": document_size(pair, labels=True, stacked=True),
        "thumb": document_size(_picture(key, "thumb"), labels=False),
    }
    # Pixel sizes at 4 px per cm: only the shape matters, CSS sets the displayed size.
    return {name: (round(w * 4), round(h * 4)) for name, (w, h) in sizes.items()}


def illustration_for(exercise: Any) -> Illustration | None:
    """The drawing of a shared-library exercise; ``None`` for a clinic's own exercise (a clinic
    key may repeat a library key, and its exercise may be a different movement)."""
    if exercise is None or exercise.clinic_id is not None or exercise.key not in specs():
        return None
    from django.urls import reverse

    version = illustration_version()
    key = exercise.key
    sizes = _sizes(key, version)

    def url(variant: str) -> str:
        return reverse("exercises:illustration", args=[key, variant]) + f"?v={version}"

    return Illustration(
        key=key,
        alt=alt_text(exercise),
        pair_url=url("pair"),
        loop_url=url("loop"),
        stack_url=url("stack"),
        thumb_url=url("thumb"),
        pair_size=sizes["pair"],
        stack_size=sizes["stack"],
        thumb_size=sizes["thumb"],
    )
