"""Token authentication for REST clients.

Tokens are knox tokens (hashed at rest, each with its own expiry); a revoked token
is deleted and an expired one is refused, so either gets 401 at once.
"""

import binascii
from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions


class ExpiringTokenAuthentication(TokenAuthentication):
    """Authorization: Token <key>. Kept as pamilu's own name so clients and docs stay stable.

    Besides knox's checks (digest, expiry, active user), a token is refused once the user's
    password, role, unit or session epoch changed since it was issued (its stamp is the
    user's session hash then): the same rule that ends the user's sessions. One query."""

    def authenticate_credentials(self, token):
        msg = _("Token tidak sah.")
        try:
            token = token.decode("utf-8")
            digest = hash_token(token)
        except (TypeError, UnicodeDecodeError, binascii.Error, ValueError):
            raise exceptions.AuthenticationFailed(msg) from None
        candidates = (
            get_token_model()
            .objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user", "info")
        )
        for auth_token in candidates:
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                info = getattr(auth_token, "info", None)
                if info is None or not compare_digest(
                    info.stamp, auth_token.user.get_session_auth_hash()
                ):
                    auth_token.delete()
                    raise exceptions.AuthenticationFailed(msg)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pamilu.api.auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <kunci>`; kunci diterbitkan administrator (/api/v1/tokens/).",
        }
