"""Input and output serializers of the program API (one pair per operation).

Weekdays travel as names (``["mon", "wed", "fri"]``); items name an exercise or a ladder by
its public id.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api_input import StrictInput
from apps.core.once import client_id_input
from apps.programs.builder import ItemRow
from apps.programs.models import Program
from apps.programs.validation import (
    ITEM_NOTES_MAX,
    ITEM_NOTES_TOO_LONG,
    PROGRAM_NOTES_MAX,
    PROGRAM_NOTES_TOO_LONG,
    WEEKDAY_NAMES,
)


def notes_field(*, most: int, too_long: str, **kwargs: Any) -> serializers.CharField:
    """Free text of a program or an item, refused past ``most`` with the forms' message."""
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=most,
        error_messages={"max_length": too_long},
        **kwargs,
    )


def reminder_time_field() -> serializers.TimeField:
    """A program's reminder time as the create and update bodies take it."""
    return serializers.TimeField(
        required=False,
        allow_null=True,
        help_text="The patient's local time to be reminded on the program's days (HH:MM), for "
        "a patient with no reminder time of their own; null: the clinic's default.",
    )


def confirm_duplicate_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False,
        default=False,
        help_text="True to start anyway a ladder already running for the patient (another "
        "program, or another item of this one), or a ladder or exercise that shares an exercise "
        "with an item running for them (a level of a running ladder, two ladders with a level "
        "in common); without it such a request is a 400 naming where it runs or what is "
        "shared (confirm_duplicate_ladder), and nothing is saved. Recorded in the audit log.",
    )


class WeekdaysField(serializers.ListField):
    child = serializers.ChoiceField(choices=WEEKDAY_NAMES)

    def to_representation(self, data: Any) -> list[str]:
        return [WEEKDAY_NAMES[day] for day in range(7) if int(data) & (1 << day)]

    def to_internal_value(self, data: Any) -> list[int]:
        names = super().to_internal_value(data)
        return sorted({WEEKDAY_NAMES.index(name) for name in names})


class ProgramOut(serializers.ModelSerializer[Program]):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.UUIDField(source="patient.public_id", allow_null=True, default=None)
    weekdays = WeekdaysField()

    class Meta:
        model = Program
        fields: tuple[str, ...] = (
            "id",
            "name",
            "notes",
            "is_template",
            "is_active",
            "patient",
            "weekdays",
            "start_date",
            "end_date",
            "reminder_time",
            "created_at",
            "updated_at",
        )


class LibraryRefOut(serializers.Serializer[object]):
    id = serializers.UUIDField(source="public_id")
    key = serializers.CharField()
    name = serializers.CharField()


class ItemOut(serializers.Serializer[ItemRow]):
    """An item as in force now, with the exercise done today and its %MVIC (null: not
    reported)."""

    id = serializers.UUIDField(source="item.public_id")
    track = serializers.UUIDField(source="item.track")
    position = serializers.IntegerField(source="item.position")
    exercise = LibraryRefOut(allow_null=True)
    ladder = LibraryRefOut(source="item.ladder", allow_null=True)
    level = serializers.IntegerField(allow_null=True)
    sets = serializers.IntegerField(source="item.sets")
    reps = serializers.IntegerField(source="item.reps", allow_null=True)
    hold_seconds = serializers.IntegerField(source="item.hold_seconds", allow_null=True)
    reps_up_to = serializers.IntegerField(source="item.reps_up_to", allow_null=True)
    hold_up_to = serializers.IntegerField(source="item.hold_up_to", allow_null=True)
    to_fatigue = serializers.BooleanField(source="item.to_fatigue")
    rep_hold_seconds = serializers.IntegerField(source="item.rep_hold_seconds", allow_null=True)
    dose = serializers.CharField(help_text="The dose in words.")
    per_side = serializers.BooleanField(source="item.per_side")
    rest_seconds = serializers.IntegerField(source="item.rest_seconds")
    notes = serializers.CharField(source="item.notes")
    auto_advance = serializers.BooleanField(source="item.auto_advance")
    precaution_override = serializers.CharField(source="item.precaution_override")
    precaution_conflict = serializers.CharField(
        source="conflict",
        help_text="What the exercise runs into among the patient's hip precautions in force "
        "(empty: nothing). Without an override the patient does not see the item.",
    )
    precaution_not_covered = serializers.CharField(
        source="not_covered",
        help_text="What of that conflict the override reason was not given for (precautions "
        "set after it): the patient does not see the item until a reason is given for it.",
    )
    also_running = serializers.CharField(
        help_text="For a ladder: where else it runs for the patient, e.g. "
        "'“Hip program” at level 3' (empty: nowhere else).",
    )
    shares_exercises = serializers.CharField(
        source="shares",
        help_text="The exercises it shares with another item running for the patient, at any "
        "level, and that item, e.g. 'Clam 4 with the Clamshell (Boren 2011) ladder (level 3 "
        "in “Hip program”)' (empty: none). Two single exercises alike are not named.",
    )
    active_from = serializers.DateField(source="item.active_from", allow_null=True)
    gluteus_medius_mvic = serializers.DecimalField(
        source="medius.value", max_digits=5, decimal_places=1, allow_null=True
    )
    gluteus_maximus_mvic = serializers.DecimalField(
        source="maximus.value", max_digits=5, decimal_places=1, allow_null=True
    )


class ProgramDetailOut(ProgramOut):
    items = serializers.SerializerMethodField()

    class Meta(ProgramOut.Meta):
        fields = (*ProgramOut.Meta.fields, "items")

    def get_items(self, program: Program) -> list[dict[str, Any]]:
        rows = self.context["rows"]
        return [dict(item) for item in ItemOut(rows, many=True).data]


class ItemDoseIn(StrictInput[object]):
    """The dose fields a new item and an item change share, and the override reason."""

    sets = serializers.IntegerField(required=False)
    reps = serializers.IntegerField(required=False, allow_null=True)
    hold_seconds = serializers.IntegerField(required=False, allow_null=True)
    reps_up_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The top of a rep range (above reps), or with to_fatigue the most reps.",
    )
    hold_up_to = serializers.IntegerField(
        required=False, allow_null=True, help_text="The top of a hold range (above hold_seconds)."
    )
    to_fatigue = serializers.BooleanField(
        required=False,
        help_text="Repeat until the muscle tires (no reps or hold; reps_up_to caps it).",
    )
    rep_hold_seconds = serializers.IntegerField(
        required=False, allow_null=True, help_text="The hold or pause in each rep."
    )
    precaution_override = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Needed when the exercise conflicts with the patient's hip precautions in "
        "force: why it is prescribed anyway (recorded and audited).",
    )


class ItemIn(ItemDoseIn):
    """A new item: an exercise, or a ladder at a starting level. Dose values left out come
    from the exercise's defaults."""

    exercise = serializers.UUIDField(required=False)
    ladder = serializers.UUIDField(required=False)
    level = serializers.IntegerField(required=False, min_value=1)
    per_side = serializers.BooleanField(required=False, allow_null=True, default=None)
    rest_seconds = serializers.IntegerField(required=False)
    notes = notes_field(most=ITEM_NOTES_MAX, too_long=ITEM_NOTES_TOO_LONG, default="")
    auto_advance = serializers.BooleanField(required=False, default=False)


class ItemAddIn(ItemIn):
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_input()


class ItemUpdateIn(ItemDoseIn):
    """Fields left out stay as they are. A dose change on an item with history ends it and
    starts a new row of the same track (the response shows the row now in force)."""

    per_side = serializers.BooleanField(required=False)
    rest_seconds = serializers.IntegerField(required=False)
    notes = notes_field(most=ITEM_NOTES_MAX, too_long=ITEM_NOTES_TOO_LONG)
    auto_advance = serializers.BooleanField(required=False)


class ProgramCreateIn(StrictInput[object]):
    """Without ``patient``: a clinic template. With ``patient``: an assigned program that
    starts on ``start_date`` (default: the patient's today)."""

    name = serializers.CharField(max_length=200)
    notes = notes_field(most=PROGRAM_NOTES_MAX, too_long=PROGRAM_NOTES_TOO_LONG, default="")
    patient = serializers.UUIDField(required=False)
    template = serializers.UUIDField(required=False, help_text="Start from this template.")
    weekdays = WeekdaysField(required=False)
    start_date = serializers.DateField(
        required=False,
        help_text="From the patient's today (their time zone) to a year ahead; default: today.",
    )
    end_date = serializers.DateField(required=False, allow_null=True)
    reminder_time = reminder_time_field()
    items = ItemIn(many=True, required=False)
    precaution_override = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="For the template's items that conflict with the patient's hip precautions "
        "(the 400 names them); kept on each of them and audited. Each of ``items`` has its own.",
    )
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_input()


class ProgramUpdateIn(StrictInput[object]):
    """Fields left out stay as they are."""

    name = serializers.CharField(max_length=200, required=False)
    notes = notes_field(most=PROGRAM_NOTES_MAX, too_long=PROGRAM_NOTES_TOO_LONG)
    weekdays = WeekdaysField(required=False)
    start_date = serializers.DateField(
        required=False,
        help_text="A new start: from the patient's today to a year ahead (an unchanged start "
        "is not checked again; a started program keeps its start).",
    )
    end_date = serializers.DateField(required=False, allow_null=True)
    reminder_time = reminder_time_field()
    confirm_duplicate_ladder = confirm_duplicate_field()


class ProgramAssignIn(StrictInput[object]):
    patient = serializers.UUIDField()
    start_date = serializers.DateField(
        required=False,
        help_text="From the patient's today to a year ahead. Default: for the patient's own "
        "draft, the start its schedule saved (today once that has passed); else today.",
    )
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Default: for the patient's own draft, the end its schedule saved; null: no end.",
    )
    weekdays = WeekdaysField(required=False, help_text="Default: the program's weekdays.")
    precaution_override = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Needed when items conflict with the patient's hip precautions (the 400 "
        "names them); kept on each of them and audited.",
    )
    confirm_duplicate_ladder = confirm_duplicate_field()
    client_id = client_id_input()


class ProgramSaveAsTemplateIn(StrictInput[object]):
    name = serializers.CharField(max_length=200, help_text="The new template's name.")
    client_id = client_id_input()


class ReorderIn(StrictInput[object]):
    items = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
