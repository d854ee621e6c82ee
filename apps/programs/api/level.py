"""Changing a ladder item's level by hand through the API (the page is
``apps/programs/views/level.py``): POST /api/v1/programs/{id}/items/{item_id}/level/."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from apps.clinics.access import StaffOnly, get_for_staff
from apps.clinics.models import User
from apps.core.api_input import StrictInput
from apps.programs import staff_selectors
from apps.programs.levels import REASON_MAX
from apps.programs.models import LevelChange
from apps.programs.precautions import MAX_OVERRIDE_LENGTH
from apps.programs.prompt_decisions import item_level_set
from apps.programs.staff_selectors import ladder_item_for_staff


class LevelIn(StrictInput[dict[str, Any]]):
    level = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        max_length=REASON_MAX,
        error_messages={
            "blank": "Say why: the patient sees this reason.",
            "required": "Say why: the patient sees this reason.",
        },
    )
    precaution_override = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_OVERRIDE_LENGTH,
        help_text="Needed when the new level's exercise conflicts with the patient's hip "
        "precautions; kept on the item and audited.",
    )
    confirm_duplicate_ladder = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True to move to a level whose exercise another item running for the "
        "patient gives them from the same day (a single exercise, or another ladder at it); "
        "without it such a change is a 400 naming both (confirm_duplicate_ladder), and "
        "nothing is changed. Recorded in the audit log.",
    )


class ManualLevelChangeOut(serializers.ModelSerializer[LevelChange]):
    class Meta:
        model = LevelChange
        fields = ("from_level", "to_level", "effective_on", "reason", "created_at")


@extend_schema(
    operation_id="programs_items_level_create",
    summary="Change a ladder item's level by hand (from the patient's next day)",
    request=LevelIn,
    responses=ManualLevelChangeOut,
)
@api_view(["POST"])
@permission_classes([StaffOnly])
def item_level_api(request: Request, public_id: UUID, item_id: UUID) -> Response:
    user = cast(User, request.user)
    program = get_for_staff(user, staff_selectors.programs_for_change(user=user), public_id)
    item = ladder_item_for_staff(user=user, program=program, public_id=item_id)
    given = LevelIn(data=request.data)
    given.is_valid(raise_exception=True)
    # A refusal by the service (a ValidationError) is a 400 through apps.core.api.
    change = item_level_set(item=item, user=user, **given.validated_data, request=request._request)
    return Response(ManualLevelChangeOut(change).data)
