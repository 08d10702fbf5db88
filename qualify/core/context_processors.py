from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from qualify.core.requests import actor_of


def actor(request: HttpRequest) -> dict[str, Any]:
    return {"actor": actor_of(request)}
