"""Input and output shapes of the outcomes API (thin: no business rules here)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api_input import StrictInput
from apps.core.once import client_id_input
from apps.outcomes.instruments import DEFAULT_MEASURES, INSTRUMENTS
from apps.outcomes.models import MAX_MINUTES

CODES = [code.value for code in INSTRUMENTS]


class MeasuresIn(StrictInput[Any]):
    # Left out: the defaults, NPRS and PSFS (an empty list schedules nothing).
    instruments = serializers.ListField(
        child=serializers.ChoiceField(CODES), max_length=5,
        default=lambda: [code.value for code in DEFAULT_MEASURES],
    )  # fmt: skip
    interval_days = serializers.IntegerField(min_value=7, max_value=91, default=14)
    at_start = serializers.BooleanField(default=True)
    at_end = serializers.BooleanField(default=True)


class MeasurePlanOut(serializers.Serializer[Any]):
    instrument = serializers.CharField()
    interval_days = serializers.IntegerField()
    at_start = serializers.BooleanField()
    at_end = serializers.BooleanField()


class QuestionOut(serializers.Serializer[Any]):
    key = serializers.CharField()
    text = serializers.CharField()
    value = serializers.IntegerField(allow_null=True)


class QuestionnaireOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    instrument = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    activities = serializers.ListField(child=serializers.CharField())
    scores = serializers.DictField(child=serializers.CharField(allow_null=True))
    submitted_at = serializers.DateTimeField(allow_null=True)


class QuestionnaireDetailOut(QuestionnaireOut):
    answer_min = serializers.IntegerField()
    answer_max = serializers.IntegerField()
    questions = QuestionOut(many=True)


class AnswersIn(serializers.Serializer[Any]):
    # An answer given as null clears the one saved before (a question the patient may leave
    # open, answered by mistake).
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), default=dict,
        help_text="Item key to the chosen number; null clears an answer saved before.",
    )  # fmt: skip
    activities = serializers.ListField(
        child=serializers.CharField(max_length=80, allow_blank=True), required=False,
        max_length=10,
    )  # fmt: skip


class SubmitIn(AnswersIn):
    submission_id = serializers.UUIDField()


class ReportIn(StrictInput[Any]):
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")
    client_id = client_id_input()


class ReportOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    report = serializers.JSONField(source="data")


class TimeEntryIn(StrictInput[Any]):
    on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES)
    activity = serializers.CharField(max_length=300)
    live_interaction = serializers.BooleanField(default=False)
    client_id = client_id_input()  # minutes are billed: a retry must not log them twice


class TimeEntryOut(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    on = serializers.DateField()
    minutes = serializers.IntegerField()
    activity = serializers.CharField()
    live_interaction = serializers.BooleanField()
