"""What an API token's scope lets it be used for, and who may manage a person's tokens.

A scope only narrows: the operation still checks what the token's user may do, so a full-access token does exactly
what its user may, and a narrower one a part of that. The scope is checked once, centrally, where a bearer token is
authenticated (``accounts.api_auth``: the API's operations and the register's hot read alike).
"""

from __future__ import annotations

from qualify.accounts.models import TokenScope
from qualify.core.permissions import ALLOW, Decision, deny

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SCOPE_REFUSALS = {
    TokenScope.READ: (
        "This token is read-only: it may only read (GET). Create a token with a wider scope on the API tokens page "
        "to change anything."
    ),
    TokenScope.REGISTER_GATING: (
        "This token is limited to the register and gating (and the public library's reads); this operation is "
        "outside its scope."
    ),
}


def token_scope_allows(scope: str, *, method: str, integration: bool) -> Decision:
    """Whether a token of ``scope`` may be used for a request with ``method`` to an operation.

    ``integration``: the operation is one that serves market systems (it admits machine clients: the register,
    gating, one's webhooks and the public library's reads), which is what a register-and-gating token may call.
    """
    if scope == TokenScope.FULL:  # the common case first: the register's hot read asks on every request
        return ALLOW
    if scope == TokenScope.READ:
        return ALLOW if method.upper() in SAFE_METHODS else deny(SCOPE_REFUSALS[TokenScope.READ])
    if scope == TokenScope.REGISTER_GATING:
        return ALLOW if integration else deny(SCOPE_REFUSALS[TokenScope.REGISTER_GATING])
    return deny("This token's scope is unknown; create a new token.")  # fail closed on a bad stored value
