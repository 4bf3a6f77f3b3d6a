"""A user's own API tokens: obtain one for a device, list and revoke one's own.

- `POST /api/v1/auth/token/` with `username`, `password`, `name` (the device) and `expiry`:
  the sign-in's rules (accounts.signin: counted in PostgreSQL per account + address and per
  address; the same answer for unknown users), plus the "token" rate. Returns the key once.
- `GET /api/v1/me/tokens/`, `POST` (a new one while signed in), `DELETE /api/v1/me/tokens/<id>/`.
Administrators keep /api/v1/tokens/ for other users' tokens.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts import services, signin
from accounts.models import ApiToken
from pamilu.api.schema import ErrorSerializer
from pamilu.api.serializers import ScopedModelSerializer
from pamilu.api.throttles import TokenRateThrottle


class OwnTokenSerializer(ScopedModelSerializer):
    id = serializers.CharField(source="digest", read_only=True)
    name = serializers.CharField(source="info.name", max_length=100)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "token_key", "name", "created", "expiry", "is_expired"]
        read_only_fields = ["token_key", "created"]
        extra_kwargs = {"expiry": {"required": True, "allow_null": False}}


class OwnTokenIssuedSerializer(OwnTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="Kunci token; hanya ditampilkan sekali."
    )

    class Meta(OwnTokenSerializer.Meta):
        fields = [*OwnTokenSerializer.Meta.fields, "token"]


class ObtainTokenSerializer(OwnTokenSerializer):
    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False)

    class Meta(OwnTokenSerializer.Meta):
        fields = [*OwnTokenSerializer.Meta.fields, "username", "password"]


def _issued(token, key) -> Response:
    token.token = key
    return Response(OwnTokenIssuedSerializer(token).data, status=status.HTTP_201_CREATED)


class TooManyAttempts(exceptions.Throttled):
    default_detail = "Terlalu banyak percobaan masuk."


class ObtainTokenView(APIView):
    """Obtain a token for your own device with your username and password."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request):
        return "Token"  # a wrong password is a 401, as for a bad token

    @extend_schema(
        request=ObtainTokenSerializer,
        responses={
            201: OwnTokenIssuedSerializer,
            401: OpenApiResponse(
                ErrorSerializer, description="Nama pengguna atau kata sandi salah."
            ),
        },
    )
    def post(self, request):
        serializer = ObtainTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        username = signin.normalize_username(data["username"])
        address = signin.client_address(request)
        wait = signin.retry_after(username=username, address=address)
        if wait:
            raise TooManyAttempts(wait=wait)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            services.signin_failed(username=username, address=address, channel="api")
            raise exceptions.AuthenticationFailed("Nama pengguna atau kata sandi salah.")
        services.signed_in(user=user, address=address, channel="api")
        token, key = services.token_issue(
            user=user, expiry=data["expiry"], by=user, channel="api", name=data["info"]["name"]
        )
        return _issued(token, key)


class OwnTokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own tokens (any role): list, issue another for a device, revoke."""

    serializer_class = OwnTokenSerializer
    throttle_classes = [UserRateThrottle, TokenRateThrottle]
    throttle_scope = "token"
    ordering_fields = ["created", "expiry"]
    ordering = ["-created"]
    filterset_fields: list = []
    search_fields: list = []
    lookup_value_regex = "[0-9a-f]{128}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).select_related("info")

    @extend_schema(request=OwnTokenSerializer, responses={201: OwnTokenIssuedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.token_issue(
            user=request.user,
            expiry=serializer.validated_data["expiry"],
            by=request.user,
            channel="api",
            name=serializer.validated_data["info"]["name"],
        )
        return _issued(token, key)

    def perform_destroy(self, instance):
        services.token_revoke(token=instance, by=self.request.user, channel="api")
