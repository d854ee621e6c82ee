"""REST endpoints for a clinic admin's API tokens.

Managing tokens needs a signed-in admin's browser session: a token cannot mint or revoke
tokens, so a leaked token cannot entrench itself.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.clinics.access import AdminOnly, find_in_scope, get_for_admin
from apps.clinics.models import ApiToken, TokenScope, User
from apps.clinics.tokens import (
    DEFAULT_LIFETIME,
    LIFETIMES,
    api_token_create,
    api_token_revoke,
    is_token_request,
)
from apps.core.api_input import StrictInput
from apps.core.once import ClientIdReused, client_id_input, created_status


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents token authentication in the OpenAPI schema (registered on import)."""

    target_class = "apps.clinics.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A clinic's API token."}


class IsClinicAdminSession(AdminOnly):
    message = "Only a clinic admin signed in with a browser session can manage API tokens."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and not is_token_request(request)


class TokenOutput(serializers.ModelSerializer[ApiToken]):
    acts_as = serializers.UUIDField(source="user.public_id", read_only=True)
    acts_as_email = serializers.EmailField(source="user.email", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "public_id",
            "name",
            "prefix",
            "acts_as",
            "acts_as_email",
            "active",
            "created_at",
            "expires_at",
            "scope",
            "last_used_at",
            "revoked_at",
        )
        read_only_fields: tuple[str, ...] = fields


class TokenCreatedOutput(TokenOutput):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(TokenOutput.Meta):
        fields: tuple[str, ...] = (*TokenOutput.Meta.fields, "token")
        read_only_fields: tuple[str, ...] = fields


class TokenInput(StrictInput[Any]):
    name = serializers.CharField(max_length=100)
    acts_as = serializers.UUIDField(
        required=False, help_text="A staff member of your clinic; you when left out."
    )
    expires_in_days = serializers.ChoiceField(
        choices=LIFETIMES,
        default=DEFAULT_LIFETIME,
        help_text="How many days the token works: 30, 90 or 365 (90 when left out).",
    )
    scope = serializers.ChoiceField(
        choices=TokenScope.choices,
        default=TokenScope.READ,
        help_text="read (GET, HEAD and OPTIONS only; when left out) or read_write.",
    )
    client_id = client_id_input()


def _acting_user(admin: User, public_id: Any) -> User:
    if public_id is None:
        return admin
    user = find_in_scope(User.objects.filter(clinic=admin.clinic), public_id)
    if user is None:
        raise serializers.ValidationError({"acts_as": ["No staff member of your clinic has it."]})
    return user


class TokenListCreate(APIView):
    permission_classes = (IsClinicAdminSession,)

    @extend_schema(operation_id="tokens_list", responses=TokenOutput(many=True))
    def get(self, request: Request) -> Response:
        admin = cast(User, request.user)
        tokens = ApiToken.objects.visible_to(admin).select_related("user")
        return Response(TokenOutput(tokens, many=True).data)

    @extend_schema(
        operation_id="tokens_create",
        request=TokenInput,
        responses={201: TokenCreatedOutput, 200: TokenCreatedOutput},
    )
    def post(self, request: Request) -> Response:
        admin = cast(User, request.user)
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _acting_user(admin, data.validated_data.get("acts_as"))
        try:
            token, secret = api_token_create(
                admin=admin,
                user=user,
                name=data.validated_data["name"],
                expires_in_days=data.validated_data["expires_in_days"],
                scope=data.validated_data["scope"],
                client_id=data.validated_data.get("client_id"),
            )
        except ClientIdReused:
            raise  # a 409 (apps.core.api), named as this request names its fields
        except DjangoValidationError as exc:
            errors = exc.message_dict
            if "user" in errors:  # the service's name for the person the token acts as
                errors["acts_as"] = errors.pop("user")
            raise serializers.ValidationError(errors) from exc
        body = TokenCreatedOutput(token).data
        body["token"] = secret
        return Response(body, status=created_status(token))


class TokenRevoke(APIView):
    permission_classes = (IsClinicAdminSession,)

    @extend_schema(operation_id="tokens_revoke", request=None, responses={204: None})
    def delete(self, request: Request, public_id: str) -> Response:
        admin = cast(User, request.user)
        token = get_for_admin(admin, ApiToken.objects.visible_to(admin), public_id)
        api_token_revoke(admin=admin, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WhoAmIOutput(serializers.Serializer[Any]):
    public_id = serializers.UUIDField()
    email = serializers.EmailField(allow_null=True)
    role = serializers.CharField()
    clinic = serializers.UUIDField(source="clinic.public_id", allow_null=True)
    clinic_name = serializers.CharField(source="clinic.name", allow_null=True)
    auth = serializers.ChoiceField(choices=("token", "session"))
    token_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the token stops working; null for a session."
    )
    token_scope = serializers.ChoiceField(
        choices=TokenScope.choices, allow_null=True, help_text="Null for a session."
    )


class WhoAmI(APIView):
    """Who the credentials act as, and a token's terms: lets an integration check its token
    (and warn its people before it expires: Clamshell sends no such warning)."""

    @extend_schema(operation_id="whoami", responses=WhoAmIOutput)
    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        token = request.auth if is_token_request(request) else None
        terms = {
            "auth": "session" if token is None else "token",
            "token_expires_at": getattr(token, "expires_at", None),
            "token_scope": getattr(token, "scope", None),
        }
        return Response(WhoAmIOutput({**_user_fields(user), **terms}).data)


def _user_fields(user: User) -> dict[str, Any]:
    return {
        "public_id": user.public_id,
        "email": user.email,
        "role": user.role,
        "clinic": user.clinic,
    }
