"""Bearer-token authentication for the API: people's personal tokens and machine clients' tokens alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from qualify.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.auth_user = user  # type: ignore[attr-defined]  # read by actor_of()
        return user
