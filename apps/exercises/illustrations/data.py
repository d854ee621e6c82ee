"""Read and check ``apps/exercises/data/poses.toml``: one entry per library exercise.

Every problem is a ``PoseDataError`` naming the entry and the field (``clam-1.end.left_leg.
hip_rotation``), so a clinician who mistypes an angle learns where, not a stack trace.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from apps.exercises.illustrations.model import (
    ARM_RANGES,
    BODY_RANGES,
    HEAD_RANGES,
    LEG_RANGES,
    POSTURES,
    TRUNK_RANGES,
    Arm,
    Body,
    Head,
    Leg,
    Pose,
    Trunk,
)
from apps.exercises.illustrations.scene import VIEWS, Spec

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
POSES_PATH = DATA_DIR / "poses.toml"
LIBRARY_PATH = DATA_DIR / "library.toml"

PARTS: dict[str, tuple[type, dict[str, tuple[float, float]]]] = {
    "body": (Body, BODY_RANGES),
    "trunk": (Trunk, TRUNK_RANGES),
    "head": (Head, HEAD_RANGES),
    "left_leg": (Leg, LEG_RANGES),
    "right_leg": (Leg, LEG_RANGES),
    "left_arm": (Arm, ARM_RANGES),
    "right_arm": (Arm, ARM_RANGES),
}
LIMBS = {"left_leg", "right_leg", "left_arm", "right_arm", "pelvis"}
PROPS = {"mat", "step", "wall", "band"}
JOINTS = {"pelvis", "neck", "head"} | {
    f"{side}_{joint}"
    for side in ("left", "right")
    for joint in ("hip", "knee", "ankle", "heel", "toe", "shoulder", "elbow", "hand")
}
SETTINGS = {
    "view", "posture", "moving", "arrow", "props", "tilt", "turn", "anchor", "support",
    "step_under", "on_step", "band", "mirror", "end_step", "wall_behind", "start", "end",
}  # fmt: skip


class PoseDataError(ValueError):
    """The poses file is wrong; the message names the entry and field."""


def _angle(where: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PoseDataError(f"{where}: expected a number of degrees, got {value!r}")
    if not low <= value <= high:
        raise PoseDataError(f"{where}: {value}° is outside {low:g}° to {high:g}°")
    return float(value)


def _part(where: str, raw: Any, base: Any, ranges: dict[str, tuple[float, float]]) -> Any:
    if not isinstance(raw, dict):
        raise PoseDataError(f"{where}: expected a table of angles")
    known = {f.name for f in fields(base)}
    changes = {}
    for name, value in raw.items():
        if name not in known:
            raise PoseDataError(
                f"{where}.{name}: unknown angle (known: {', '.join(sorted(known))})"
            )
        changes[name] = _angle(f"{where}.{name}", value, *ranges[name])
    return replace(base, **changes)


def _pose(where: str, raw: Any, base: Pose) -> Pose:
    """A pose from its table; angles not given keep ``base``'s (the end inherits the start)."""
    if not isinstance(raw, dict):
        raise PoseDataError(f"{where}: expected a table")
    pose = base
    for name, value in raw.items():
        if name not in PARTS:
            raise PoseDataError(f"{where}.{name}: unknown body part (known: {', '.join(PARTS)})")
        _, ranges = PARTS[name]
        pose = replace(pose, **{name: _part(f"{where}.{name}", value, getattr(pose, name), ranges)})
    return pose


def _choice(where: str, value: Any, allowed: set[str] | dict[str, Any]) -> str:
    if value not in allowed:
        raise PoseDataError(f"{where}: {value!r} is not one of {', '.join(sorted(allowed))}")
    return str(value)


def _names(where: str, value: Any, allowed: set[str]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PoseDataError(f"{where}: expected a list")
    return tuple(_choice(f"{where}", item, allowed) for item in value)


def _number(where: str, value: Any, low: float, high: float) -> float:
    return _angle(where, value, low, high)


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PoseDataError(f"{where}: expected true or false")
    return value


def _spec(key: str, raw: Any) -> Spec:
    if not isinstance(raw, dict):
        raise PoseDataError(f"{key}: expected a table")
    for name in raw:
        if name not in SETTINGS:
            raise PoseDataError(f"{key}.{name}: unknown setting")
    for which in ("start", "end"):
        if which not in raw:
            raise PoseDataError(f"{key}: missing the {which} pose ([{key}.{which}])")
    posture = _choice(f"{key}.posture", raw.get("posture", "standing"), POSTURES)
    start = _pose(f"{key}.start", raw["start"], Pose(posture=posture))
    end = _pose(f"{key}.end", raw["end"], start)
    band = _names(f"{key}.band", raw.get("band", ["left_ankle", "right_ankle"]), JOINTS)
    if len(band) != 2:
        raise PoseDataError(f"{key}.band: name the two joints the band goes around")
    return Spec(
        key=key,
        view=_choice(f"{key}.view", raw.get("view", "side"), VIEWS),
        start=start,
        end=end,
        moving=_names(f"{key}.moving", raw.get("moving", []), LIMBS),
        arrow=_choice(f"{key}.arrow", raw["arrow"], JOINTS) if "arrow" in raw else "",
        props=_names(f"{key}.props", raw.get("props", []), PROPS),
        tilt=_number(f"{key}.tilt", raw.get("tilt", 0), -90, 90),
        turn=_number(f"{key}.turn", raw.get("turn", 0), -180, 180),
        anchor=_choice(f"{key}.anchor", raw.get("anchor", "pelvis"), JOINTS),
        support=_names(f"{key}.support", raw.get("support", []), JOINTS),
        step_under=_choice(f"{key}.step_under", raw["step_under"], JOINTS)
        if "step_under" in raw
        else "",
        end_step=int(_number(f"{key}.end_step", raw.get("end_step", 3), 1, 12)),
        mirror=_flag(f"{key}.mirror", raw.get("mirror", False)),
        on_step=_names(f"{key}.on_step", raw.get("on_step", []), {"start", "end"}),
        band=(band[0], band[1]),
        wall_behind=_number(f"{key}.wall_behind", raw.get("wall_behind", 30), 0, 200),
    )


def library_keys(path: Path = LIBRARY_PATH) -> list[str]:
    """The keys of the shared library's exercises, in file order."""
    with path.open("rb") as handle:
        return [row["key"] for row in tomllib.load(handle).get("exercises", [])]


def parse_poses(text: str, *, exercise_keys: list[str]) -> dict[str, Spec]:
    """Every entry of a poses file, checked against the library's exercise keys."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PoseDataError(f"poses file is not valid TOML: {error}") from error
    entries = raw.get("exercises", {})
    for key in entries:
        if key not in exercise_keys:
            raise PoseDataError(f"{key}: no library exercise has this key")
    missing = [key for key in exercise_keys if key not in entries]
    if missing:
        raise PoseDataError(f"{', '.join(missing)}: no poses for this library exercise")
    return {key: _spec(key, entries[key]) for key in exercise_keys}


def load_poses(path: Path = POSES_PATH) -> dict[str, Spec]:
    return parse_poses(path.read_text(encoding="utf-8"), exercise_keys=library_keys())
