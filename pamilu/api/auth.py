"""Token authentication for REST clients.

Tokens are knox tokens (hashed at rest, each with its own expiry); a revoked token
is deleted and an expired one is refused, so either gets 401 at once.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """Authorization: Token <key>. Kept as pamilu's own name so clients and docs stay stable."""


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
