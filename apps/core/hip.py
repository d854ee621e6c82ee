"""The hip movements an exercise takes the joint into, and that precautions can rule out.

The one vocabulary both the exercise library (an exercise's movement tags) and the patient
record (a patient's hip precautions) speak. It lives at the bottom layer because those two
apps sit side by side and never import each other; ``programs`` compares them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class HipMovement(models.TextChoices):
    FLEXION_BEYOND_90 = "flexion_beyond_90", "Flexion beyond 90°"
    ADDUCTION_PAST_MIDLINE = "adduction_past_midline", "Adduction across the midline"
    INTERNAL_ROTATION = "internal_rotation", "Internal rotation"
    EXTENSION = "extension", "Extension"
    EXTERNAL_ROTATION = "external_rotation", "External rotation"
    SINGLE_LEG_WEIGHT_BEARING = "single_leg_weight_bearing", "Single-leg weight bearing"


def movement_labels(values: Iterable[str]) -> list[str]:
    """The words for stored movement values, in the vocabulary's order."""
    chosen = set(values)
    return [str(label) for value, label in HipMovement.choices if value in chosen]


def unknown_movements(values: Iterable[str]) -> list[str]:
    return sorted(set(values) - set(HipMovement.values))
