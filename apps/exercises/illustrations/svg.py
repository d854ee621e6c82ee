"""Primitives to SVG: the pages' pictures.

The SVG is served as an image (``<img src>``), so its look lives in one ``<style>`` element
inside it. The response's Content-Security-Policy allows exactly that element by its hash
(``STYLE_HASH``) and nothing else: no scripts, no other styles, no external fetches.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from apps.exercises.illustrations.scene import Arrow, Disc, Picture, Primitive, Segment, Shape

SCALE = 1.0  # viewBox units are centimetres; the page sets the size
STYLE = (
    "svg{background:#f7f9fa}"
    ".body{fill:#8c9aa8;stroke:#8c9aa8}.far{fill:#c3ccd4;stroke:#c3ccd4}"
    ".moving{fill:#0b6870;stroke:#0b6870}.moving-far{fill:#6aa9ae;stroke:#6aa9ae}"
    ".band{stroke:#c0507a}.arrow{stroke:#c2570c;fill:none}.arrowhead{fill:#c2570c}"
    ".floor{fill:#9aa5b1}.mat{fill:#e3e9ed}.step{fill:#d5dde3;stroke:#9aa5b1;stroke-width:1}"
    ".wall{fill:#d5dde3}.label{font-family:system-ui,sans-serif;font-weight:600;fill:#4a5763}"
    "line,polyline{stroke-linecap:round;stroke-linejoin:round;fill:none}"
    ".ghost{opacity:.28}"
    # A gentle loop: in the end panel the moving limb fades between its start (the ghost)
    # and end positions. People who ask for less motion see the still picture.
    "@media (prefers-reduced-motion:no-preference){"
    ".animate .panel-end .ghost{animation:pose-ghost 4s ease-in-out infinite alternate}"
    ".animate .panel-end .layer-moving{animation:pose-end 4s ease-in-out infinite alternate}}"
    "@keyframes pose-ghost{0%,20%{opacity:.9}80%,100%{opacity:.2}}"
    "@keyframes pose-end{0%,20%{opacity:.15}80%,100%{opacity:1}}"
)
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
LABEL_RATIO = 0.075  # label size as a share of the panel height
CONTENT_SECURITY_POLICY = f"default-src 'none'; style-src '{STYLE_HASH}'"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _classes(p: Primitive) -> str:
    names = [p.role]
    if p.layer:
        names.append(p.layer if p.layer == "ghost" else f"layer-{p.layer}")
    return f'"{" ".join(names)}"'  # role and layer names: fixed words, nothing to escape


def _element(p: Primitive, height: float) -> str:
    def pt(q: tuple[float, float]) -> str:
        return f"{_n(q[0])},{_n(height - q[1])}"

    if isinstance(p, Segment):
        (x1, y1), (x2, y2) = p.a, p.b
        return (
            f'<line class={_classes(p)} x1="{_n(x1)}" y1="{_n(height - y1)}" '
            f'x2="{_n(x2)}" y2="{_n(height - y2)}" stroke-width="{_n(p.width)}"/>'
        )
    if isinstance(p, Disc):
        cx, cy = p.center
        return (
            f'<circle class={_classes(p)} cx="{_n(cx)}" cy="{_n(height - cy)}" r="{_n(p.radius)}"/>'
        )
    if isinstance(p, Shape):
        points = " ".join(pt(q) for q in p.points)
        join = ' stroke-width="10" stroke-linejoin="round"' if p.role in {"body", "moving"} else ""
        return f'<polygon class={_classes(p)} points="{points}"{join}/>'
    return _arrow(p, height)


def _arrow(p: Arrow, height: float) -> str:
    """The arc and a head pointing along its last stretch; a mark has no head."""
    points = " ".join(f"{_n(x)},{_n(height - y)}" for x, y in p.points)
    if p.role == "mark":
        return f'<polyline class="arrow" points="{points}" stroke-width="3"/>'
    (x1, y1), (x2, y2) = p.points[-2], p.points[-1]
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    ux, uy = dx / length, dy / length
    size = 6.0
    tip = (x2 + ux * 2, y2 + uy * 2)
    left = (tip[0] - ux * size - uy * size * 0.6, tip[1] - uy * size + ux * size * 0.6)
    right = (tip[0] - ux * size + uy * size * 0.6, tip[1] - uy * size - ux * size * 0.6)
    head = " ".join(f"{_n(x)},{_n(height - y)}" for x, y in (tip, left, right))
    return (
        f'<polyline class="arrow" points="{points}" stroke-width="2.5" stroke-dasharray="5 4"/>'
        f'<polygon class="arrowhead" points="{head}"/>'
    )


def document_size(picture: Picture, *, labels: bool, stacked: bool = False) -> tuple[float, float]:
    """Width and height of the SVG document (labels add a strip under each panel; stacked
    puts the panels one above the other, for a phone held upright)."""
    block = picture.height * (1 + LABEL_RATIO * 1.4 if labels else 1)
    if stacked:
        return picture.panel_width, block * len(picture.panels)
    return picture.width, block


def render_svg(
    picture: Picture, *, title: str, animate: bool, labels: bool, stacked: bool = False
) -> str:
    """A standalone SVG document of ``picture``; ``title`` is its accessible name."""
    size = picture.height * LABEL_RATIO
    width, height = document_size(picture, labels=labels, stacked=stacked)
    block = height / len(picture.panels) if stacked else height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-label="{escape(title)}" class="{"animate" if animate else "still"}">',
        f"<title>{escape(title, quote=False)}</title>",
        f"<style>{STYLE}</style>",
    ]
    for index, (which, x, items) in enumerate(picture.panels):
        dx, dy = (0.0, index * block) if stacked else (x, 0.0)
        parts.append(f'<g class="panel panel-{which}" transform="translate({_n(dx)} {_n(dy)})">')
        parts += [_element(p, picture.height) for p in items]
        if labels:
            label = "Start" if which == "start" else "End"
            lx, ly = _n(picture.panel_width / 2), _n(block - size * 0.4)
            parts.append(
                f'<text class="label" x="{lx}" y="{ly}" font-size="{_n(size)}" '
                f'text-anchor="middle">{label}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
