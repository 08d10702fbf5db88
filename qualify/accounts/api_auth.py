"""Bearer-token authentication for the API: people's personal tokens and machine clients' tokens alike.

Market systems call the API hundreds of times a second with the same few tokens, so each process remembers, for
``CACHE_SECONDS``, which user a token digest belongs to, and answers from memory instead of querying the token and
the user on every request. Only tokens that authenticated are remembered (an unknown or refused token always asks
the database, so a token is usable as soon as it is created).

The price is a bound on how quickly a change made elsewhere is seen: **a token that is revoked or expires, or whose
user is deactivated or changes staff role, stops working (or changes scope) within ``CACHE_SECONDS`` in every
process** — each process re-reads the token from the database once its entry is that old. Last use is still
recorded, at most once a minute, when an entry is re-read.

The remembered User object is shared by the requests that use the token in that time (copying it cost more than
the rest of authentication). The API only reads it: ``actor_of()`` turns it into an Actor, and nothing writes to
``request.auth``.

For a user with a staff or machine role (Programme and Code Body staff, or a market system), the entry also keeps the
user's Actor, built once when the token is read (``token_actor``, used by the register's hot read, which records
nothing and so needs no request id). Such a user has no memberships, so that Actor holds nothing the token's own
bound does not already cover. A participant's Actor is not kept: it is built per request from the memberships, so a
membership removed takes effect at once, as before.

A machine client (``Actor.is_machine``: a market system) may call only the operations that admit it: the register,
gating and the public library's reads use ``PEOPLE_AND_MACHINES``; every other operation uses ``PEOPLE`` (the API's
default, ``config/api.py``), which answers a machine's token with 403 before the operation runs. What a machine then
reads is narrowed again by the selectors (``visible_to``: nothing organisation-owned outside the register).

Every token also has a scope (``ApiToken.scope``, chosen when it is created), checked here for every request that a
token authenticates, before the operation runs (``accounts.permissions.token_scope_allows``): a read-only token is
refused (403) any method but GET, HEAD and OPTIONS; a register-and-gating token is refused every operation that does
not admit machine clients — so it reaches exactly what a market system's token reaches (the register, gating and the
public library's reads), as far as its user may. The scope is kept with the cached entry (a token's scope never
changes), and the register's hot read asks the same check through ``token_actor`` (a refused token falls through to
the API operation, which answers the 403). A session is not a token and has no scope.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from qualify.accounts.models import User
from qualify.accounts.permissions import token_scope_allows
from qualify.accounts.services import api_token_check
from qualify.core.actor import Actor, actor_for_user
from qualify.core.errors import NotAllowed

CACHE_SECONDS = 5.0  # the revocation bound stated above; keep it short
CACHE_MAX_ENTRIES = 10_000  # distinct tokens per process before the cache starts afresh (bounds memory)

clock: Callable[[], float] = time.monotonic  # replaced in tests


@dataclass(frozen=True)
class _Entry:
    user: User
    scope: str  # ApiToken.scope: fixed when the token is created, so safe to remember
    loaded_at: float
    actor: Actor | None  # kept for staff and machine users only (no memberships): see the module's docstring


_cache: dict[str, _Entry] = {}
_lock = threading.Lock()


def _entry(secret: str) -> _Entry | None:
    key = hashlib.sha256(secret.encode("utf-8")).hexdigest()  # never keep the secret itself in memory
    now = clock()
    entry = _cache.get(key)
    if entry is None or now - entry.loaded_at >= CACHE_SECONDS:
        token = api_token_check(secret)  # records the token's last use (at most once a minute)
        if token is None:
            _cache.pop(key, None)
            return None
        user = token.user
        entry = _Entry(
            user=user, scope=token.scope, loaded_at=now, actor=actor_for_user(user) if user.staff_role else None
        )
        with _lock:
            if len(_cache) >= CACHE_MAX_ENTRIES:
                _cache.clear()
            _cache[key] = entry
    return entry


def token_actor(secret: str, *, method: str = "GET") -> Actor | None:
    """The Actor of the bearer secret's user (no request id) for a ``method`` request to the register, or None if the
    token does not authenticate or its scope does not cover that request (the API operation then says why).

    Kept with the token for a staff user; built afresh from the memberships (one query) for anyone else.
    """
    entry = _entry(secret)
    if entry is None or not token_scope_allows(entry.scope, method=method, integration=True):
        return None
    return entry.actor if entry.actor is not None else actor_for_user(entry.user)


def forget_tokens() -> None:
    """Drop every remembered token in this process (tests; a process-wide revocation would call it too)."""
    with _lock:
        _cache.clear()


class BearerToken(HttpBearer):
    """A bearer token; a machine client's is refused (403) unless the operation admits machines (``machines``), and
    any token is refused (403) where its scope does not reach (the module's docstring)."""

    def __init__(self, *, machines: bool = False) -> None:
        super().__init__()
        self.machines = machines

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        entry = _entry(token)
        if entry is None:
            return None
        # A machine role is a staff_role, so a machine's Actor is always kept with its entry.
        if not self.machines and entry.actor is not None and entry.actor.is_machine:
            raise NotAllowed("Machine clients may use the register, gating and the public library only.")
        token_scope_allows(entry.scope, method=request.method or "GET", integration=self.machines).enforce()
        request.auth_user = entry.user  # type: ignore[attr-defined]  # read by actor_of()
        return entry.user


# The API's authentication: a person's token or session (machine clients refused), or, for the operations that admit
# them, a machine client's token too. A machine never has a session (``accounts.backends.PeopleBackend``).
PEOPLE = [BearerToken(), django_auth]
PEOPLE_AND_MACHINES = [BearerToken(machines=True), django_auth]
