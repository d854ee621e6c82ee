"""``manage.py check`` (and every start of the app) reports a broken poses file by name."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from apps.exercises.illustrations.data import PoseDataError, load_poses


@register()
def poses_file_is_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        load_poses()
    except PoseDataError as exc:
        return [
            Error(
                f"apps/exercises/data/poses.toml: {exc}",
                hint="Fix the entry named; the pages show no exercise drawings until then.",
                id="exercises.E001",
            )
        ]
    return []
