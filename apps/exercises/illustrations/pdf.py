"""Primitives to reportlab shapes: the same drawings in the printed handout.

Print may be black and white, so the moving limb is the darkest shape and the arrow is dashed;
the colours step down in lightness as well as in hue.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, String
from reportlab.lib import colors

from apps.exercises.illustrations.scene import Arrow, Disc, Picture, Primitive, Segment, Shape

INK = {
    "body": colors.HexColor("#8c9aa8"),
    "far": colors.HexColor("#c3ccd4"),
    "moving": colors.HexColor("#0b4f55"),
    "moving-far": colors.HexColor("#6aa9ae"),
    "band": colors.HexColor("#8a2f55"),
    "arrow": colors.HexColor("#3a3a3a"),
    "floor": colors.HexColor("#9aa5b1"),
    "mat": colors.HexColor("#eceff2"),
    "step": colors.HexColor("#dde3e8"),
    "wall": colors.HexColor("#dde3e8"),
    "ghost": colors.HexColor("#c9dfe1"),
}


def _ink(p: Primitive) -> colors.Color:
    return INK["ghost"] if p.layer == "ghost" else INK.get(p.role, INK["body"])


def _shape(p: Primitive) -> list[object]:
    ink = _ink(p)
    if isinstance(p, Segment):
        return [Line(*p.a, *p.b, strokeColor=ink, strokeWidth=p.width, strokeLineCap=1)]
    if isinstance(p, Disc):
        return [Circle(*p.center, p.radius, fillColor=ink, strokeColor=None)]
    if isinstance(p, Shape):
        points = [c for q in p.points for c in q]
        outline = 10 if p.role in {"body", "moving"} else 0.6 if p.role == "step" else 0
        stroke = INK["floor"] if p.role == "step" else ink
        return [Polygon(points, fillColor=ink, strokeColor=stroke if outline else None,
                        strokeWidth=outline, strokeLineJoin=1)]  # fmt: skip
    return _arrow(p)


def _arrow(p: Arrow) -> list[object]:
    if p.role == "mark":
        points = [c for q in p.points for c in q]
        return [PolyLine(points, strokeColor=INK["arrow"], strokeWidth=3, strokeLineCap=1)]
    (x1, y1), (x2, y2) = p.points[-2], p.points[-1]
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    ux, uy = dx / length, dy / length
    size = 6.0
    tip = (x2 + ux * 2, y2 + uy * 2)
    head = [
        *tip,
        tip[0] - ux * size - uy * size * 0.6, tip[1] - uy * size + ux * size * 0.6,
        tip[0] - ux * size + uy * size * 0.6, tip[1] - uy * size - ux * size * 0.6,
    ]  # fmt: skip
    ink = INK["arrow"]
    line = PolyLine([c for q in p.points for c in q], strokeColor=ink, strokeWidth=2.5,
                    strokeDashArray=[5, 4], strokeLineCap=1)  # fmt: skip
    return [line, Polygon(head, fillColor=ink, strokeColor=None)]


def drawing(picture: Picture, *, width: float, labels: bool = True) -> Drawing:
    """``picture`` scaled to ``width`` points, with "Start"/"End" under the panels."""
    size = picture.height * 0.075
    label_space = size * 1.4 if labels else 0.0
    k = width / picture.width
    result = Drawing(width, (picture.height + label_space) * k)
    for which, x, items in picture.panels:
        group = Group()
        for item in items:
            for shape in _shape(item):
                group.add(shape)
        if labels:
            group.add(
                String(picture.panel_width / 2, -size, "Start" if which == "start" else "End",
                       fontName="Helvetica-Bold", fontSize=size, textAnchor="middle",
                       fillColor=colors.HexColor("#333333"))
            )  # fmt: skip
        group.translate(x, label_space)
        outer = Group(group)
        outer.scale(k, k)
        result.add(outer)
    return result
