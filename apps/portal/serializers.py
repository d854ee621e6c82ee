"""Input and output shapes of the patient's own API (``/api/v1/me/``).

Input serializers only parse types; the ranges and the rules (pain 0-10, reps or hold, side,
date) live in ``apps.programs.logs`` so the page and the API say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api_input import StrictInput
from apps.exercises.illustrations import illustration_for
from apps.exercises.models import Exercise
from apps.patients.models import Side
from apps.portal.today_media import ClinicMedia
from apps.programs.logs import CORRECTION_WINDOW
from apps.programs.logs_batch import BATCH_MAX
from apps.programs.models import SetLog


class SetLogCreateIn(serializers.Serializer[Any]):
    client_id = serializers.UUIDField(
        error_messages={"invalid": "client_id must be a UUID generated on the phone."}
    )
    item = serializers.UUIDField(help_text="The program item's public_id.")
    performed_on = serializers.DateField(
        required=False,
        help_text="Patient-local date of the set; defaults to today. The day the phone's page "
        "was drawn for: any day that has begun somewhere on Earth (UTC+14) is taken.",
    )
    side = serializers.ChoiceField(
        choices=Side.choices,
        required=False,
        help_text='"left" or "right" for an exercise done on each side (then required); '
        '"both", the default, for one that is not.',
    )
    set_number = serializers.IntegerField(required=False, allow_null=True)
    reps = serializers.IntegerField(required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(required=False, allow_null=True)
    pain = serializers.IntegerField(required=False, allow_null=True, help_text="0-10, required.")
    difficulty = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class SetLogPatchIn(StrictInput[Any]):
    reps = serializers.IntegerField(required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(required=False, allow_null=True)
    pain = serializers.IntegerField(required=False)
    difficulty = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)


class SetLogOut(serializers.ModelSerializer[SetLog]):
    item = serializers.UUIDField(source="item.public_id", read_only=True)
    exercise = serializers.CharField(source="exercise.name", read_only=True)
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = SetLog
        fields = (
            "public_id",
            "client_id",
            "item",
            "performed_on",
            "logged_at",
            "editable_until",
            "set_number",
            "side",
            "reps",
            "hold_seconds",
            "pain",
            "difficulty",
            "note",
            "exercise",
            "ladder_level",
            "target_sets",
            "target_reps",
            "target_hold_seconds",
            "target_reps_up_to",
            "target_hold_up_to",
            "target_per_side",
        )
        read_only_fields = fields

    def get_editable_until(self, log: SetLog) -> datetime:
        return log.logged_at + CORRECTION_WINDOW


class PlanSetOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    side = serializers.CharField()
    set_number = serializers.IntegerField()
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    pain = serializers.IntegerField()
    difficulty = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    logged_at = serializers.DateTimeField()


class PlanSideOut(serializers.Serializer[Any]):
    side = serializers.CharField()
    target_sets = serializers.IntegerField()
    done = serializers.IntegerField()
    complete = serializers.BooleanField()
    logs = PlanSetOut(many=True)


class DrawingOut(serializers.Serializer[Any]):
    pair = serializers.CharField(help_text="Start and end side by side (SVG).")
    loop = serializers.CharField(help_text="The same, moving gently between them.")
    stack = serializers.CharField(help_text="Start above end, for a phone held upright.")
    thumb = serializers.CharField()
    alt = serializers.CharField(help_text="Text alternative, from the exercise's steps.")


class PhotoOut(serializers.Serializer[Any]):
    thumb = serializers.CharField()
    phone = serializers.CharField()
    print = serializers.CharField()


class VideoOut(serializers.Serializer[Any]):
    video = serializers.CharField(help_text="Supports Range requests.")
    type = serializers.CharField(help_text="video/mp4 or video/webm")
    poster = serializers.CharField(allow_null=True, help_text="Its first frame (JPEG), if any.")


class PicturesOut(serializers.Serializer[Any]):
    drawing = DrawingOut(allow_null=True, help_text="The app's drawing of the exercise.")
    photo = PhotoOut(allow_null=True, help_text="The clinic's first photo of it.")
    video = VideoOut(allow_null=True, help_text="The clinic's first video of it.")


def _drawing_data(exercise: Exercise) -> dict[str, str] | None:
    drawing = illustration_for(exercise)
    if drawing is None:
        return None
    return {
        "pair": drawing.pair_url,
        "loop": drawing.loop_url,
        "stack": drawing.stack_url,
        "thumb": drawing.thumb_url,
        "alt": drawing.alt,
    }


def pictures_data(exercise: Exercise, media: ClinicMedia | None) -> dict[str, Any]:
    """What ``PicturesOut`` shows for an exercise and the clinic's media of it."""
    video = None
    if media is not None and media.video is not None:
        video = {
            "video": media.video["video"],
            "type": media.video_type,
            "poster": media.video.get("phone"),
        }
    return {
        "drawing": _drawing_data(exercise),
        "photo": media.photo if media is not None else None,
        "video": video,
    }


class PlanExerciseOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    summary = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())
    cues = serializers.ListField(child=serializers.CharField())
    cautions = serializers.CharField()
    pictures = serializers.SerializerMethodField()

    @extend_schema_field(PicturesOut)
    def get_pictures(self, exercise: Exercise) -> dict[str, Any]:
        media: dict[int, ClinicMedia] = self.context.get("media", {})
        return pictures_data(exercise, media.get(exercise.pk))


class PlanItemOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    program = serializers.CharField(source="item.program.name")
    exercise = PlanExerciseOut(allow_null=True)
    ladder = serializers.CharField(source="ladder_name", allow_null=True)
    level = serializers.IntegerField(allow_null=True)
    level_count = serializers.IntegerField(allow_null=True)
    sets = serializers.IntegerField(source="item.sets")
    reps = serializers.IntegerField(source="item.reps", allow_null=True)
    hold_seconds = serializers.IntegerField(source="item.hold_seconds", allow_null=True)
    reps_up_to = serializers.IntegerField(
        source="item.reps_up_to",
        allow_null=True,
        help_text="The top of a rep range, or the most reps of a dose to fatigue.",
    )
    hold_up_to = serializers.IntegerField(source="item.hold_up_to", allow_null=True)
    to_fatigue = serializers.BooleanField(source="item.to_fatigue")
    rep_hold_seconds = serializers.IntegerField(source="item.rep_hold_seconds", allow_null=True)
    dose = serializers.CharField(source="dose_text", help_text="The dose in plain words.")
    goal = serializers.SerializerMethodField(help_text="A ladder level's goal in plain words.")
    log_amount = serializers.SerializerMethodField(
        help_text="What one tap logs: the prescription, or for a dose that rises the "
        "patient's best recent count within it (null: the patient enters their count)."
    )
    per_side = serializers.BooleanField(source="item.per_side")
    precautions_checked = serializers.BooleanField(
        help_text="Prescribed with the therapist's override of the patient's hip precautions: "
        "the therapist checked it against them (the reason stays with the staff)."
    )
    rest_seconds = serializers.IntegerField(source="item.rest_seconds")
    notes = serializers.CharField(source="item.notes")
    prescribed = serializers.IntegerField()
    completed = serializers.IntegerField()
    complete = serializers.BooleanField()
    stop_for_today = serializers.SerializerMethodField(
        help_text="A set of this exercise today had pain above the plan's pain_limit (too "
        "much): tell the patient to do no more sets of it today, to go lighter next time and "
        "how to reach the clinic; offer the form only for a set already done."
    )
    sides = PlanSideOut(many=True)

    def get_stop_for_today(self, plan: Any) -> bool:
        return plan.too_much_pain(self.context["pain_limit"]) is not None

    def get_goal(self, plan: Any) -> str:
        goal = self.context.get("goals", {}).get(plan.item.pk)
        return goal.text if goal is not None else ""

    def get_log_amount(self, plan: Any) -> int | None:
        goal = self.context.get("goals", {}).get(plan.item.pk)
        if goal is not None and goal.start is not None:
            return int(goal.start)
        if plan.item.to_fatigue:
            return None
        return plan.item.hold_seconds if plan.is_hold else plan.item.reps


class LevelChangeOut(serializers.Serializer[Any]):
    item = serializers.UUIDField(source="item_public_id")
    ladder = serializers.CharField(source="ladder_name")
    from_level = serializers.IntegerField()
    to_level = serializers.IntegerField()
    exercise = serializers.CharField(source="exercise_name", allow_null=True)
    effective_on = serializers.DateField()
    reason = serializers.CharField()


class TodayPlanOut(serializers.Serializer[Any]):
    day = serializers.DateField()
    pain_limit = serializers.SerializerMethodField(
        help_text="The clinic's hold-back level: pain above it during a set is too much, "
        "and that exercise stops for the day (stop_for_today)."
    )
    pain_alert_level = serializers.SerializerMethodField(
        help_text="Pain at or above it alerts the patient's therapist the same day."
    )
    scheduled = serializers.BooleanField()
    complete = serializers.BooleanField()
    prescribed = serializers.IntegerField()
    completed = serializers.IntegerField()
    next_day = serializers.DateField(allow_null=True)
    held_back = serializers.IntegerField(
        help_text="How many of the day's exercises the hip precautions hold back until the "
        "therapist has checked them (not in items): with no items, the day is on hold, "
        "not a rest day."
    )
    items = PlanItemOut(many=True)
    level_changes = LevelChangeOut(many=True)

    def get_pain_limit(self, plan: Any) -> int:
        return int(self.context["pain_limit"])

    def get_pain_alert_level(self, plan: Any) -> int:
        return int(self.context["pain_alert_level"])


class SetLogBatchIn(serializers.Serializer[Any]):
    logs = SetLogCreateIn(  # type: ignore[call-arg]  # many=True takes the list's arguments
        many=True,
        min_length=1,
        max_length=BATCH_MAX,
        error_messages={
            "not_a_list": "logs must be a list of sets.",
            "min_length": "Send at least one set.",
            "max_length": f"Send at most {BATCH_MAX} sets in one batch.",
        },
        help_text=f"1 to {BATCH_MAX} sets, each as for a single set; saved all or nothing.",
    )


class SetLogBatchResultOut(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    created = serializers.BooleanField(help_text="False: a replay, the stored log is returned.")
    log = SetLogOut()


class SetLogBatchOut(serializers.Serializer[Any]):
    results = SetLogBatchResultOut(many=True, help_text="One per set, in the order sent.")


def set_log_batch_data(saved: list[tuple[SetLog, bool]]) -> dict[str, Any]:
    """What ``SetLogBatchOut`` renders for ``(log, created)`` pairs, built without a serializer
    per set (a test holds each log equal to ``SetLogOut``'s, key for key).

    DRF walks every field of every log through its source lookups; for a 100-set batch that
    was a noticeable share of the request. The date and time formats still come from DRF's
    fields (the ``DATETIME_FORMAT`` setting, the current time zone), made once per batch.
    """
    moment = serializers.DateTimeField().to_representation
    day = serializers.DateField().to_representation
    results = [
        {"client_id": str(log.client_id), "created": created, "log": _log_data(log, moment, day)}
        for log, created in saved
    ]
    return {"results": results}


def set_log_data(log: SetLog) -> dict[str, Any]:
    """What ``SetLogOut`` renders for one log, without walking its fields (the one-tap log's
    answer; the same test holds it equal to ``SetLogOut``'s)."""
    moment = serializers.DateTimeField().to_representation
    return _log_data(log, moment, serializers.DateField().to_representation)


def _log_data(
    log: SetLog, moment: Callable[[datetime], Any], day: Callable[[date], Any]
) -> dict[str, Any]:
    """One log as ``SetLogOut`` gives it, in the order of its ``Meta.fields``."""
    return {
        "public_id": str(log.public_id),
        "client_id": str(log.client_id),
        "item": str(log.item.public_id),
        "performed_on": day(log.performed_on),
        "logged_at": moment(log.logged_at),
        "editable_until": moment(log.logged_at + CORRECTION_WINDOW),
        "set_number": log.set_number,
        "side": str(log.side),
        "reps": log.reps,
        "hold_seconds": log.hold_seconds,
        "pain": log.pain,
        "difficulty": log.difficulty,
        "note": str(log.note),
        "exercise": str(log.exercise.name),
        "ladder_level": log.ladder_level,
        "target_sets": log.target_sets,
        "target_reps": log.target_reps,
        "target_hold_seconds": log.target_hold_seconds,
        "target_reps_up_to": log.target_reps_up_to,
        "target_hold_up_to": log.target_hold_up_to,
        "target_per_side": bool(log.target_per_side),
    }
