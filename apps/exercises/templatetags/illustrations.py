"""``{% exercise_pictures exercise %}`` and ``{% exercise_thumb exercise %}``: an exercise's
drawn start and end positions, or nothing for an exercise without a drawing. No queries."""

from __future__ import annotations

from typing import Any

from django import template

from apps.exercises.illustrations import illustration_for

register = template.Library()


@register.inclusion_tag("exercises/_pictures.html")
def exercise_pictures(exercise: Any, enlarge: bool = False) -> dict[str, Any]:
    return {"picture": illustration_for(exercise), "enlarge": enlarge}


@register.inclusion_tag("exercises/_thumb.html")
def exercise_thumb(exercise: Any) -> dict[str, Any]:
    return {"picture": illustration_for(exercise)}
