"""Token authentication for REST clients.

Tokens are knox tokens (hashed at rest, each with its own expiry); a revoked token
is deleted and an expired one is refused, so either gets 401 at once.
"""

from knox.auth import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """Authorization: Token <key>. Kept as pamilu's own name so clients and docs stay stable."""
