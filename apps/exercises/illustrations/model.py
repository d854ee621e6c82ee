"""The pose model: a stick figure in three dimensions, placed by joint angles.

Angles are the ones a clinician measures (hip flexion, abduction, rotation, knee flexion...),
so a pose in ``poses.toml`` reads like an exam note. ``joint_points`` turns a pose into the
positions of the joints in the room; projecting them for a view is ``scene.py``'s job.

Room axes: X points to the right of the page in the side view, Y up to the ceiling and Z toward
the viewer of the side view. Lengths are in centimetres of a 170 cm adult.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]  # rows

# Segment lengths (cm).
THIGH, SHANK, FOOT = 44.0, 43.0, 18.0
TRUNK, NECK, HEAD_RADIUS = 50.0, 14.0, 10.0
HIP_HALF_WIDTH, SHOULDER_HALF_WIDTH = 9.0, 17.0
UPPER_ARM, FOREARM = 29.0, 27.0

# Allowed range of each angle (degrees): wide enough for any exercise in the library, narrow
# enough that a typing slip (450 for 45) is caught with a clear error.
LEG_RANGES = {
    "hip_flexion": (-40.0, 140.0),
    "hip_abduction": (-35.0, 80.0),
    "hip_rotation": (-90.0, 70.0),  # + internal, - external
    "knee_flexion": (0.0, 160.0),
    "ankle": (-60.0, 40.0),  # + dorsiflexion (toes up), - plantar flexion
}
ARM_RANGES = {
    "shoulder_flexion": (-60.0, 200.0),
    "shoulder_abduction": (-30.0, 180.0),
    "elbow_flexion": (0.0, 160.0),
}
TRUNK_RANGES = {
    "flexion": (-40.0, 100.0),  # trunk on pelvis; + forward
    "side_bend": (-45.0, 45.0),  # + toward the right
    "rotation": (-80.0, 80.0),  # + toward the right
}
HEAD_RANGES = {"flexion": (-60.0, 80.0), "side_bend": (-60.0, 60.0), "rotation": (-80.0, 80.0)}
BODY_RANGES = {"pitch": (-180.0, 180.0), "roll": (-180.0, 180.0), "yaw": (-180.0, 180.0)}

# How the body lies in the room before the ``body`` angles turn it: (superior, anterior).
POSTURES: dict[str, tuple[Vec, Vec]] = {
    "standing": ((0, 1, 0), (1, 0, 0)),
    "supine": ((-1, 0, 0), (0, 1, 0)),
    "prone": ((-1, 0, 0), (0, -1, 0)),
    # On the left side, so the right leg is on top; the side view sees the back, which (from
    # a raised camera) shows the bent hips and the top knee opening at the same time.
    "side_lying": ((-1, 0, 0), (0, 0, -1)),
}


@dataclass(frozen=True)
class Leg:
    hip_flexion: float = 0.0
    hip_abduction: float = 0.0
    hip_rotation: float = 0.0
    knee_flexion: float = 0.0
    ankle: float = 0.0


@dataclass(frozen=True)
class Arm:
    shoulder_flexion: float = 0.0
    shoulder_abduction: float = 0.0
    elbow_flexion: float = 0.0


@dataclass(frozen=True)
class Trunk:
    flexion: float = 0.0
    side_bend: float = 0.0
    rotation: float = 0.0


@dataclass(frozen=True)
class Head:
    flexion: float = 0.0
    side_bend: float = 0.0
    rotation: float = 0.0


@dataclass(frozen=True)
class Body:
    """The pelvis's turn away from its posture: pitch bends it forward about the left-right
    axis (a hip hinge), roll tips it toward the right side, yaw turns it to the left."""

    pitch: float = 0.0
    roll: float = 0.0
    yaw: float = 0.0


@dataclass(frozen=True)
class Pose:
    posture: str = "standing"
    body: Body = field(default_factory=Body)
    trunk: Trunk = field(default_factory=Trunk)
    head: Head = field(default_factory=Head)
    left_leg: Leg = field(default_factory=Leg)
    right_leg: Leg = field(default_factory=Leg)
    left_arm: Arm = field(default_factory=Arm)
    right_arm: Arm = field(default_factory=Arm)


# --- small 3-D helpers (no numpy for a few dozen points) -------------------------------------


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def apply(m: Mat, v: Vec) -> Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def matmul(a: Mat, b: Mat) -> Mat:
    cols = list(zip(*b, strict=True))
    return tuple(  # type: ignore[return-value]
        tuple(sum(x * y for x, y in zip(row, col, strict=True)) for col in cols) for row in a
    )


def rotation(axis: Vec, degrees: float) -> Mat:
    """Rotation by ``degrees`` about a unit ``axis`` (right-hand rule)."""
    x, y, z = axis
    t = math.radians(degrees)
    c, s, k = math.cos(t), math.sin(t), 1 - math.cos(t)
    return (
        (c + x * x * k, x * y * k - z * s, x * z * k + y * s),
        (y * x * k + z * s, c + y * y * k, y * z * k - x * s),
        (z * x * k - y * s, z * y * k + x * s, c + z * z * k),
    )


# Local axes of every body frame: anterior, superior, right.
ANT: Vec = (1.0, 0.0, 0.0)
SUP: Vec = (0.0, 1.0, 0.0)
RIGHT: Vec = (0.0, 0.0, 1.0)


def _posture_matrix(posture: str) -> Mat:
    """The matrix whose columns are the body's anterior, superior and right axes in the room."""
    sup, ant = POSTURES[posture]
    right = _cross(ant, sup)
    return tuple(zip(ant, sup, right, strict=True))  # type: ignore[return-value]


def _pelvis(pose: Pose) -> Mat:
    b = pose.body
    turn = matmul(rotation(SUP, b.yaw), matmul(rotation(ANT, b.roll), rotation(RIGHT, -b.pitch)))
    return matmul(_posture_matrix(pose.posture), turn)


def _leg(frame: Mat, hip: Vec, leg: Leg, side: float) -> dict[str, Vec]:
    """Hip, knee, ankle, heel and toe of one leg; ``side`` is +1 right, -1 left."""
    thigh = matmul(
        frame,
        matmul(
            rotation(RIGHT, leg.hip_flexion),
            matmul(
                rotation(ANT, -side * leg.hip_abduction), rotation(SUP, side * leg.hip_rotation)
            ),
        ),
    )
    knee = add(hip, apply(thigh, scale(SUP, -THIGH)))
    shank = matmul(thigh, rotation(RIGHT, -leg.knee_flexion))
    ankle = add(knee, apply(shank, scale(SUP, -SHANK)))
    foot = matmul(shank, rotation(RIGHT, leg.ankle))
    heel = add(ankle, apply(foot, (-4.0, -5.0, 0.0)))
    toe = add(ankle, apply(foot, (FOOT - 4.0, -5.0, 0.0)))
    return {"hip": hip, "knee": knee, "ankle": ankle, "heel": heel, "toe": toe}


def _arm(frame: Mat, shoulder: Vec, arm: Arm, side: float) -> dict[str, Vec]:
    upper = matmul(
        frame,
        matmul(
            rotation(RIGHT, arm.shoulder_flexion), rotation(ANT, -side * arm.shoulder_abduction)
        ),
    )
    elbow = add(shoulder, apply(upper, scale(SUP, -UPPER_ARM)))
    fore = matmul(upper, rotation(RIGHT, arm.elbow_flexion))
    hand = add(elbow, apply(fore, scale(SUP, -FOREARM)))
    return {"shoulder": shoulder, "elbow": elbow, "hand": hand}


def joint_points(pose: Pose) -> dict[str, Vec]:
    """Every joint of ``pose`` in room coordinates, the pelvis centre at the origin.

    Names: pelvis, neck, head, and ``left_``/``right_`` + hip, knee, ankle, heel, toe,
    shoulder, elbow, hand.
    """
    pelvis = _pelvis(pose)
    t = pose.trunk
    trunk = matmul(
        pelvis,
        matmul(
            rotation(RIGHT, -t.flexion),
            matmul(rotation(ANT, t.side_bend), rotation(SUP, -t.rotation)),
        ),
    )
    neck = apply(trunk, scale(SUP, TRUNK))
    h = pose.head
    head_frame = matmul(
        trunk,
        matmul(
            rotation(RIGHT, -h.flexion),
            matmul(rotation(ANT, h.side_bend), rotation(SUP, -h.rotation)),
        ),
    )
    points: dict[str, Vec] = {
        "pelvis": (0.0, 0.0, 0.0),
        "neck": neck,
        "head": add(neck, apply(head_frame, (2.0, NECK, 0.0))),
    }
    for name, side in (("left", -1.0), ("right", 1.0)):
        hip = apply(pelvis, scale(RIGHT, side * HIP_HALF_WIDTH))
        leg_points = _leg(pelvis, hip, getattr(pose, f"{name}_leg"), side)
        shoulder = add(neck, apply(trunk, (0.0, -3.0, side * SHOULDER_HALF_WIDTH)))
        arm_points = _arm(trunk, shoulder, getattr(pose, f"{name}_arm"), side)
        points.update({f"{name}_{joint}": p for joint, p in (leg_points | arm_points).items()})
    return points
