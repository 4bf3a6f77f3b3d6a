"""API tokens for REST clients: administrators issue, list and revoke them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from accounts.models import ApiToken, User
from accounts.services import token_issue, token_revoke
from pamilu.api.serializers import ScopedModelSerializer
from pamilu.api.throttles import TokenRateThrottle
from pamilu.scoping import scope


class IsAdministrator(permissions.BasePermission):
    message = "Hanya administrator."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_administrator)


class ApiTokenSerializer(ScopedModelSerializer):
    id = serializers.CharField(source="digest", read_only=True)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    username = serializers.CharField(source="user.username", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "token_key", "user", "username", "created", "expiry", "is_expired"]
        read_only_fields = ["token_key", "created"]
        extra_kwargs = {"expiry": {"required": True, "allow_null": False}}


class ApiTokenIssuedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="Kunci token; hanya ditampilkan sekali."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


@extend_schema_view(
    create=extend_schema(request=ApiTokenSerializer, responses={201: ApiTokenIssuedSerializer}),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Tokens of users in the administrator's scope. Header: `Authorization: Token <key>`."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAdministrator]
    throttle_classes = [UserRateThrottle, TokenRateThrottle]
    throttle_scope = "token"
    filterset_fields = ["user"]
    ordering_fields = ["created", "expiry"]
    ordering = ["-created"]
    lookup_value_regex = "[0-9a-f]{128}"

    def get_queryset(self):
        return scope(self.request.user, ApiToken.objects.select_related("user"), "user__unit")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = token_issue(
            user=serializer.validated_data["user"],
            expiry=serializer.validated_data["expiry"],
            by=request.user,
            channel="api",
        )
        token.token = key
        return Response(ApiTokenIssuedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        token_revoke(token=instance, by=self.request.user, channel="api")
