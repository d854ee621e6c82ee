"""Output serializers of the library's read API. They only shape data loaded by selectors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.exercises.models import EvidenceValue, Exercise, Ladder, LadderLevel


class EvidenceOut(serializers.ModelSerializer[EvidenceValue]):
    """One %MVIC value with everything needed to judge it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    exercise = serializers.UUIDField(source="exercise.public_id", read_only=True)
    exercise_key = serializers.CharField(source="exercise.key", read_only=True)
    study = serializers.CharField(source="study.key", read_only=True)
    study_name = serializers.CharField(source="study.short_name", read_only=True)
    study_is_primary = serializers.BooleanField(source="study.is_primary", read_only=True)
    mvic_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True
    )
    less_certain = serializers.BooleanField(source="is_less_certain", read_only=True)
    clinic_added = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceValue
        fields = (
            "id",
            "exercise",
            "exercise_key",
            "study",
            "study_name",
            "study_is_primary",
            "muscle",
            "mvic_percent",
            "confidence",
            "note",
            "source",
            "less_certain",
            "clinic_added",
        )

    def get_clinic_added(self, obj: EvidenceValue) -> bool:
        return obj.clinic_id is not None


class ExerciseOut(serializers.ModelSerializer[Exercise]):
    """An exercise in a list, with every %MVIC value the caller may see."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    shared = serializers.BooleanField(source="is_shared", read_only=True)
    evidence = EvidenceOut(source="visible_evidence", many=True, read_only=True)

    class Meta:
        model = Exercise
        fields: tuple[str, ...] = (
            "id",
            "key",
            "name",
            "aliases",
            "shared",
            "position",
            "equipment",
            "movement",
            "target_muscles",
            "default_sets",
            "default_reps",
            "default_hold_seconds",
            # The rest of the default dose: without these the API read the clamshell's
            # "10 rising to 20" as a fixed 10 and the exercises done to fatigue as no dose.
            "default_reps_up_to",
            "default_hold_up_to",
            "default_to_fatigue",
            "default_rep_hold_seconds",
            "per_side",
            "default_rest_seconds",
            "dose_note",
            "hip_movements",
            "hip_movements_none",
            "evidence",
        )


class ExerciseDetailOut(ExerciseOut):
    """An exercise with its instructions."""

    class Meta(ExerciseOut.Meta):
        fields = (
            *ExerciseOut.Meta.fields,
            "summary",
            "steps",
            "cues",
            "common_mistakes",
            "cautions",
            "image",
            "video_url",
            "hip_movements_note",
        )


class ExerciseRefOut(serializers.ModelSerializer[Exercise]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Exercise
        fields = ("id", "key", "name")


class LadderLevelOut(serializers.ModelSerializer[LadderLevel]):
    exercise = ExerciseRefOut(read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = LadderLevel
        fields = ("level", "exercise", "evidence", "advance_rule", "advance_target", "advance_days")

    @extend_schema_field(EvidenceOut(many=True))
    def get_evidence(self, obj: LadderLevel) -> list[dict[str, Any]]:
        return EvidenceOut(obj.exercise.visible_evidence, many=True).data  # type: ignore[attr-defined,return-value]


class LadderOut(serializers.ModelSerializer[Ladder]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    shared = serializers.SerializerMethodField()
    levels = LadderLevelOut(many=True, read_only=True)

    class Meta:
        model = Ladder
        fields = ("id", "key", "name", "description", "advance_at_reps", "shared", "levels")

    def get_shared(self, obj: Ladder) -> bool:
        return obj.clinic_id is None
