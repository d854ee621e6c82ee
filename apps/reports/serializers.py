"""Input and output of the report job API. Parsing only; the rules live in exports/ and
services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import serializers

from apps.clinics.models import User
from apps.core.api import service_error
from apps.core.api_input import StrictInput
from apps.core.once import client_id_input
from apps.reports.exports.filters import report_therapist, validate_range
from apps.reports.models import ReportFormat, ReportJob, ReportKind


class ReportJobInput(StrictInput[Any]):
    start = serializers.DateField(help_text="First day of the period (YYYY-MM-DD).")
    end = serializers.DateField(help_text="Last day of the period, inclusive.")
    therapist = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A therapist of your clinic, or one deactivated since who looked after its "
        "patients in the period; all when left out.",
    )
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.SUMMARY)
    client_id = client_id_input()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            validate_range(attrs["start"], attrs["end"])
            attrs["therapist"] = self._therapist(attrs)
        except DjangoValidationError as exc:
            raise service_error(exc) from exc
        if attrs["kind"] == ReportKind.DETAIL and attrs["format"] != ReportFormat.CSV:
            raise serializers.ValidationError(
                {"format": ["The export of every logged set is available as CSV only."]}
            )
        return attrs

    def _therapist(self, attrs: dict[str, Any]) -> User | None:
        """The chosen therapist, who may be deactivated since if they looked after patients
        of the clinic in the period (their past care is reported on its own too)."""
        if attrs.get("therapist") is None:
            return None
        return report_therapist(
            clinic_id=self.context["clinic_id"], public_id=attrs["therapist"],
            start=attrs["start"], end=attrs["end"],
            unknown="No therapist of your clinic has this id.",
        )  # fmt: skip


class ReportJobOutput(serializers.ModelSerializer[ReportJob]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = (
            "id",
            "kind",
            "format",
            "filters",
            "status",
            "progress",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, job: ReportJob) -> str | None:
        """Where to fetch the file once the job is done; null before and after expiry."""
        if not job.is_downloadable:
            return None
        return reverse("reports-api-job-file", kwargs={"public_id": job.public_id})
