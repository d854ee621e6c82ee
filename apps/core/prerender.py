"""A template rendered once per variant, with the per-message parts filled in as text.

The reminder fan-out renders the same two short templates for thousands of patients a
minute; only a few values differ (a first name, two links) and a few more pick a variant
(how many questionnaires are due, whether the personal link still works). Rendering each
one through Django's template engine cost more than the rest of the message
(bench/README.md, "Eighth session"). A ``PrerenderedTemplate`` renders each variant once
with a marker in place of every personal value, cuts the output at the markers, and joins
the pieces with the real values: the same text, byte for byte, as long as the template only
prints those values (``{{ name }}``, outside autoescape) or tests them for truth
(``{% if name %}``). A value that is escaped, or filtered into text that still shows the
marker, is caught when the variant is rendered (``ValueError``); a comparison with a personal
value, or a filter that drops it, is not: keep them out of such templates (the equivalence
test of each user is the guard).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Mapping
from typing import Any, Protocol

from django.utils.translation import get_language

# A marker holds characters that autoescape changes (< and >) and that no template writes,
# so an escaped or filtered value is noticed instead of filled in wrongly.
_MARKER = "<\x00slot:{}\x00>"
_MARKERS = re.compile(r"<\x00slot:(\w+)\x00>")
_LEFTOVER = re.compile(r"\x00slot:", re.IGNORECASE)
# A fan-out has a handful of variants; a bound keeps a long-lived instance small anyway.
MAX_VARIANTS = 64


class Renderable(Protocol):
    def render(self, context: dict[str, Any] | None = ...) -> str: ...


class PrerenderedTemplate:
    def __init__(self, template: Renderable, *, slots: Collection[str]) -> None:
        """``template``: as ``get_template`` gives it; ``slots``: the context names whose
        values differ per message (text, or empty or None)."""
        self._template = template
        self._slots = frozenset(slots)
        self._variants: dict[Hashable, tuple[str, ...]] = {}

    def render(self, context: Mapping[str, Any]) -> str:
        """What ``template.render(context)`` gives. A slot's value must be a string
        (or empty/None); every other value must be hashable: it picks the variant."""
        key = self._key(context)
        pieces = self._variants.get(key)
        if pieces is None:
            pieces = self._variant(key, context)
        # pieces alternate: text, slot name, text, ..., text
        out = [pieces[0]]
        for n in range(1, len(pieces), 2):
            out.append(context[pieces[n]])
            out.append(pieces[n + 1])
        return "".join(out)

    def _key(self, context: Mapping[str, Any]) -> Hashable:
        # A slot with a value is a marker in its variant; an empty one is rendered as it is.
        values = (
            (name, True if name in self._slots and value else value)
            for name, value in sorted(context.items())
        )
        return (get_language(), *values)

    def _variant(self, key: Hashable, context: Mapping[str, Any]) -> tuple[str, ...]:
        marked = {
            name: _MARKER.format(name) if name in self._slots and value else value
            for name, value in context.items()
        }
        pieces = tuple(_MARKERS.split(self._template.render(marked)))
        texts = pieces[::2]
        if any(_LEFTOVER.search(text) for text in texts):
            raise ValueError("the template escapes or filters a slot: it cannot be filled in")
        if len(self._variants) >= MAX_VARIANTS:
            self._variants.clear()
        self._variants[key] = pieces
        return pieces
