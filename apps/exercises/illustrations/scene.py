"""From a pose pair to drawing primitives: project the joints for the view, stand the figure
on its floor or step, add the props, highlight the moving limb and draw the arrow.

The primitives are plain data in page units (centimetres, y up), so the same drawing can be
written as SVG for the pages (``svg.py``) and drawn with reportlab in the handout (``pdf.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from apps.exercises.illustrations.model import (
    HEAD_RADIUS,
    Mat,
    Pose,
    Vec,
    add,
    apply,
    joint_points,
    matmul,
    rotation,
)

Point = tuple[float, float]

# The cameras, as (azimuth, elevation) in degrees. Azimuth 0 looks along -Z (the side of a
# standing figure facing right), 90 looks along -X (its front); elevation tilts the camera down.
VIEWS = {"side": (0.0, 0.0), "front": (90.0, 0.0), "above": (0.0, 90.0)}
STEP_HEIGHT, STEP_DEPTH, STEP_WIDTH = 20.0, 32.0, 50.0
WALL_HEIGHT = 120.0
PAD = 8.0
MIN_ARROW = 24.0  # cm: shorter paths are drawn this long
ASPECT = 1.6  # width / height of one panel

# Stroke widths (cm) of each segment: thick, round-capped lines read well even as thumbnails.
LIMBS = {
    "leg": (("hip", "knee", 11.0), ("knee", "ankle", 9.0), ("heel", "toe", 6.0)),
    "arm": (("shoulder", "elbow", 8.0), ("elbow", "hand", 7.0)),
}
TORSO_WIDTH = 10.0


@dataclass(frozen=True)
class Segment:
    a: Point
    b: Point
    width: float
    role: str  # body, far, moving, moving-far, band
    layer: str = ""  # "" (static), "moving" (end pose's moving limb) or "ghost"


@dataclass(frozen=True)
class Disc:
    center: Point
    radius: float
    role: str
    layer: str = ""


@dataclass(frozen=True)
class Shape:
    points: tuple[Point, ...]
    role: str  # body (the torso), floor, mat, step, wall
    layer: str = ""


@dataclass(frozen=True)
class Arrow:
    points: tuple[Point, ...]
    role: str = "arrow"
    layer: str = ""


Primitive = Segment | Disc | Shape | Arrow


@dataclass(frozen=True)
class Spec:
    """One exercise's illustration, as read from ``poses.toml``."""

    key: str
    view: str
    start: Pose
    end: Pose
    moving: tuple[str, ...] = ()  # limbs drawn highlighted: left_leg, right_arm, pelvis...
    arrow: str = ""  # the joint whose path the arrow follows
    props: tuple[str, ...] = ()  # floor, mat, step, wall, band
    tilt: float = 0.0  # extra camera elevation, for a little depth in a side-lying view
    turn: float = 0.0  # extra camera azimuth
    anchor: str = "pelvis"  # the joint that keeps its place between start and end
    support: tuple[str, ...] = ()  # joints resting on the floor (or step); default: all
    step_under: str = ""  # the joint the step is drawn under (in the end pose)
    on_step: tuple[str, ...] = ()  # "start", "end": the poses standing on the step
    band: tuple[str, str] = ("left_ankle", "right_ankle")
    wall_behind: float = 30.0  # distance from the anchor to the wall, behind the figure
    mirror: bool = False  # flip left and right on the page
    end_step: int = 3  # the step (1-based) the end pose shows, for the alt text


@dataclass(frozen=True)
class Panel:
    """One pose drawn in page units, with its bounding box."""

    primitives: tuple[Primitive, ...]
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass
class Picture:
    """Start and end panels on a shared frame, ready for a writer."""

    key: str
    width: float
    height: float
    panel_width: float
    panels: list[tuple[str, float, list[Primitive]]] = field(default_factory=list)  # label, x


# --- placing the figure ---------------------------------------------------------------------


def _camera(spec: Spec) -> Mat:
    azimuth, elevation = VIEWS[spec.view]
    up: Vec = (0.0, 1.0, 0.0)
    right: Vec = (1.0, 0.0, 0.0)
    turn = rotation(up, -(azimuth + spec.turn))
    return matmul(rotation(right, elevation + spec.tilt), turn)


def _placed(spec: Spec, which: str) -> dict[str, Vec]:
    """Joints in the room: the anchor over the origin, the support resting on the floor or,
    for the poses listed in ``on_step``, on the step."""
    points = joint_points(spec.start if which == "start" else spec.end)
    ax, _, az = points[spec.anchor]
    surface = STEP_HEIGHT if which in spec.on_step else 0.0
    support = spec.support or tuple(points)
    if which in spec.on_step:
        # Standing on the step: that foot carries the figure, the other may hang past the edge.
        side = spec.step_under.split("_")[0]
        support = (f"{side}_heel", f"{side}_toe")
    lowest = min(_bottom(name, points[name]) for name in support)
    shift: Vec = (-ax, surface - lowest, -az)
    return {name: add(p, shift) for name, p in points.items()}


def _bottom(name: str, p: Vec) -> float:
    """The lowest height of the drawn shape around a joint (segments have thickness)."""
    return p[1] - (HEAD_RADIUS if name == "head" else 4.5)


def _project(camera: Mat, p: Vec) -> Vec:
    return apply(camera, p)


# --- the figure -----------------------------------------------------------------------------


def _limb_role(limb: str, moving: Iterable[str], far: bool) -> str:
    base = "moving" if limb in moving else "body"
    if far:
        return "far" if base == "body" else "moving-far"
    return base


def _figure(spec: Spec, camera: Mat, which: str, *, ghost: bool) -> list[tuple[float, Primitive]]:
    """The figure's primitives with their depth (nearer is larger)."""
    placed = _placed(spec, which)
    proj = {name: _project(camera, p) for name, p in placed.items()}
    flat = {name: (p[0], p[1]) for name, p in proj.items()}
    out: list[tuple[float, Primitive]] = []
    torso = ("left_hip", "right_hip", "right_shoulder", "left_shoulder")
    depth = {
        side: proj[f"{side}_hip"][2] + proj[f"{side}_shoulder"][2] for side in ("left", "right")
    }
    far_side = (
        "left"
        if depth["left"] < depth["right"] - 1.0
        else "right"
        if depth["right"] < depth["left"] - 1.0
        else ""
    )
    torso_role = "moving" if "pelvis" in spec.moving else "body"
    if not ghost:
        out.append((proj["pelvis"][2], Shape(tuple(flat[n] for n in torso), torso_role)))
        out.append((proj["neck"][2], Segment(flat["neck"], flat["head"], 7.0, "body")))
        out.append((proj["head"][2], Disc(flat["head"], HEAD_RADIUS, "body")))
    for side in ("left", "right"):
        for kind, bones in LIMBS.items():
            limb = f"{side}_{kind}"
            if ghost and limb not in spec.moving:
                continue
            role = _limb_role(limb, spec.moving, far=side == far_side)
            layer = "ghost" if ghost else "moving" if limb in spec.moving else ""
            for a, b, width in bones:
                pa, pb = proj[f"{side}_{a}"], proj[f"{side}_{b}"]
                seg = Segment(flat[f"{side}_{a}"], flat[f"{side}_{b}"], width, role, layer)
                out.append(((pa[2] + pb[2]) / 2, seg))
    return out


# --- props ----------------------------------------------------------------------------------


def _hull(points: Sequence[Point]) -> tuple[Point, ...]:
    """Convex hull (monotone chain): an orthographic box outline from its eight corners."""
    pts = sorted({(round(x, 3), round(y, 3)) for x, y in points})
    if len(pts) < 3:
        return tuple(pts)

    def half(seq: Sequence[Point]) -> list[Point]:
        chain: list[Point] = []
        for p in seq:
            while len(chain) >= 2 and _turn(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(pts), half(pts[::-1])
    return tuple(lower[:-1] + upper[:-1])


def _turn(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _box(camera: Mat, lo: Vec, hi: Vec) -> tuple[Point, ...]:
    corners = [(x, y, z) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    return _hull([_project(camera, c)[:2] for c in corners])


def _props(
    spec: Spec, camera: Mat, extent: tuple[float, float, float, float]
) -> list[tuple[float, Primitive]]:
    """Floor, mat, step and wall, drawn behind the figure; the band is added with the figure."""
    x0, z0, x1, z1 = extent
    out: list[tuple[float, Primitive]] = []
    if "mat" in spec.props:
        out.append(
            (-1e6, Shape(_box(camera, (x0 - 6, -1.5, z0 - 6), (x1 + 6, 0.0, z1 + 6)), "mat"))
        )
    if "step" in spec.props and spec.step_under:
        end = _placed(spec, "end")
        foot = end[spec.step_under]
        other = end[
            spec.step_under.replace("left", "@").replace("right", "left").replace("@", "right")
        ]
        # The step reaches away from the other foot, so that foot can hang past its edge.
        toward = 1.0 if other[2] >= foot[2] else -1.0
        z_near, z_far = foot[2] + toward * 9.0, foot[2] - toward * (STEP_WIDTH - 9.0)
        lo: Vec = (foot[0] - STEP_DEPTH / 2, 0.0, min(z_near, z_far))
        hi: Vec = (foot[0] + STEP_DEPTH / 2, STEP_HEIGHT, max(z_near, z_far))
        out.append((-1e5, Shape(_box(camera, lo, hi), "step")))
    if "wall" in spec.props:
        wx = -spec.wall_behind
        out.append(
            (-1e5, Shape(_box(camera, (wx - 4, 0.0, z0 - 30), (wx, WALL_HEIGHT, z1 + 30)), "wall"))
        )
    return out


def _band(spec: Spec, camera: Mat, which: str) -> list[tuple[float, Primitive]]:
    if "band" not in spec.props:
        return []
    placed = _placed(spec, which)
    a, b = (_project(camera, placed[name]) for name in spec.band)
    return [(max(a[2], b[2]) + 1, Segment(a[:2], b[:2], 3.0, "band"))]


# --- the arrow ------------------------------------------------------------------------------


def _arrow(spec: Spec, camera: Mat) -> list[Arrow]:
    """A gentle arc from where the tracked joint starts to where it ends, bowed away from the
    body and set off the limb so it never hides it."""
    if not spec.arrow:
        return _hold_marks(spec, camera)
    start = _project(camera, _placed(spec, "start")[spec.arrow])[:2]
    end = _project(camera, _placed(spec, "end")[spec.arrow])[:2]
    centre = _project(camera, _placed(spec, "start")["pelvis"])[:2]
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 2.0:
        return []
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    if length < MIN_ARROW:
        # A small movement still gets an arrow long enough to see, centred on the path.
        k = MIN_ARROW / length
        start = (mid[0] - dx * k / 2, mid[1] - dy * k / 2)
        end = (mid[0] + dx * k / 2, mid[1] + dy * k / 2)
        dx, dy, length = dx * k, dy * k, MIN_ARROW
    nx, ny = -dy / length, dx / length
    if (mid[0] - centre[0]) * nx + (mid[1] - centre[1]) * ny < 0:
        nx, ny = -nx, -ny
    off = 9.0
    a = (start[0] + nx * off, start[1] + ny * off)
    b = (end[0] + nx * off, end[1] + ny * off)
    ctrl = (mid[0] + nx * (off + length * 0.3), mid[1] + ny * (off + length * 0.3))
    curve = tuple(_bezier(a, ctrl, b, t / 12) for t in range(13))
    return [Arrow(curve)]


def _hold_marks(spec: Spec, camera: Mat) -> list[Arrow]:
    """A held contraction with no movement (the gluteal squeeze): short strokes radiating
    from the highlighted pelvis, like the marks for "tighten here" in a hand drawing."""
    if "pelvis" not in spec.moving:
        return []
    cx, cy = _project(camera, _placed(spec, "end")["pelvis"])[:2]
    marks = []
    for degrees in (40, 90, 140):
        a = math.radians(degrees)
        inner = (cx + 15 * math.cos(a), cy + 15 * math.sin(a))
        outer = (cx + 23 * math.cos(a), cy + 23 * math.sin(a))
        marks.append(Arrow((inner, outer), role="mark"))
    return marks


def _bezier(a: Point, c: Point, b: Point, t: float) -> Point:
    u = 1 - t
    return (
        u * u * a[0] + 2 * u * t * c[0] + t * t * b[0],
        u * u * a[1] + 2 * u * t * c[1] + t * t * b[1],
    )


# --- panels ---------------------------------------------------------------------------------


def _extent(spec: Spec) -> tuple[float, float, float, float]:
    """The figure's footprint on the floor (x and z), over both poses, for the mat and wall."""
    xs, zs = [], []
    for which in ("start", "end"):
        for p in _placed(spec, which).values():
            xs.append(p[0])
            zs.append(p[2])
    return min(xs), min(zs), max(xs), max(zs)


def _bounds(primitives: Iterable[Primitive]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for p in primitives:
        if isinstance(p, Segment):
            for x, y in (p.a, p.b):
                xs += [x - p.width / 2, x + p.width / 2]
                ys += [y - p.width / 2, y + p.width / 2]
        elif isinstance(p, Disc):
            xs += [p.center[0] - p.radius, p.center[0] + p.radius]
            ys += [p.center[1] - p.radius, p.center[1] + p.radius]
        else:
            xs += [x for x, _ in p.points]
            ys += [y for _, y in p.points]
    return min(xs), min(ys), max(xs), max(ys)


def panel(spec: Spec, which: str) -> list[Primitive]:
    """The primitives of the start or end panel, far to near. The end panel also carries the
    start position of the moving limb (a ghost) and the arrow."""
    camera = _camera(spec)
    layers = _props(spec, camera, _extent(spec))
    layers += _figure(spec, camera, which, ghost=False) + _band(spec, camera, which)
    items = [p for _, p in sorted(layers, key=lambda item: item[0])]
    if which == "end":
        ghost = [
            p for _, p in sorted(_figure(spec, camera, "start", ghost=True), key=lambda i: i[0])
        ]
        props = [p for p in items if isinstance(p, Shape) and p.role in {"mat", "step", "wall"}]
        rest = [p for p in items if p not in props]
        items = props + ghost + rest + list(_arrow(spec, camera))
    return items


def _floor_line(box: tuple[float, float, float, float], spec: Spec) -> list[Primitive]:
    if VIEWS[spec.view][1] + spec.tilt != 0:
        return []  # a tilted floor is drawn as the mat instead
    x0, _, x1, _ = box
    return [Shape(((x0, -0.8), (x1, -0.8), (x1, 0.0), (x0, 0.0)), "floor")]


def picture(spec: Spec, *, panels: Sequence[str] = ("start", "end")) -> Picture:
    """The chosen panels side by side on one frame, so the figure stays put between them."""
    drawn = {which: panel(spec, which) for which in panels}
    if spec.mirror:
        drawn = {which: [_mirror(p) for p in items] for which, items in drawn.items()}
    box = _framed(_bounds(p for items in drawn.values() for p in items))
    floor = _floor_line(box, spec)
    width, height = box[2] - box[0], box[3] - box[1]
    gap = PAD
    result = Picture(spec.key, width * len(panels) + gap * (len(panels) - 1), height, width)
    for index, which in enumerate(panels):
        shifted = [_shift(p, -box[0], -box[1]) for p in floor + drawn[which]]
        result.panels.append((which, index * (width + gap), shifted))
    return result


def _framed(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box padded to the panel's 4:3 shape, so every exercise is drawn at one scale per
    size on the page. Extra height goes above (the floor stays at the bottom)."""
    x0, y0, x1, y1 = box[0] - PAD, box[1] - PAD, box[2] + PAD, box[3] + PAD
    width, height = x1 - x0, y1 - y0
    if width < height * ASPECT:
        extra = (height * ASPECT - width) / 2
        return x0 - extra, y0, x1 + extra, y1
    return x0, y0, x1, y0 + width / ASPECT


def _mirror(p: Primitive) -> Primitive:
    def flip(q: Point) -> Point:
        return (-q[0], q[1])

    if isinstance(p, Segment):
        return Segment(flip(p.a), flip(p.b), p.width, p.role, p.layer)
    if isinstance(p, Disc):
        return Disc(flip(p.center), p.radius, p.role, p.layer)
    if isinstance(p, Shape):
        return Shape(tuple(flip(q) for q in p.points), p.role, p.layer)
    return Arrow(tuple(flip(q) for q in p.points), p.role, p.layer)


def _shift(p: Primitive, dx: float, dy: float) -> Primitive:
    def move(q: Point) -> Point:
        return (q[0] + dx, q[1] + dy)

    if isinstance(p, Segment):
        return Segment(move(p.a), move(p.b), p.width, p.role, p.layer)
    if isinstance(p, Disc):
        return Disc(move(p.center), p.radius, p.role, p.layer)
    if isinstance(p, Shape):
        return Shape(tuple(move(q) for q in p.points), p.role, p.layer)
    return Arrow(tuple(move(q) for q in p.points), p.role, p.layer)
