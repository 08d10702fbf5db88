"""Password sign-in and sessions, for people only.

A machine client (a market system, or a participant's test tool) uses the API with a bearer token and never signs
in: this backend refuses it a password sign-in and also refuses to restore it from a session, so no page and no
session-authenticated API call ever runs as a machine, whatever password or session it might have come by.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from qualify.core.roles import MACHINE_ROLES


class PeopleBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_machine", False) or getattr(user, "staff_role", "") in MACHINE_ROLES:
            return False
        return super().user_can_authenticate(user)


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """The address a sign-in attempt named, for django-axes' lock-out: allauth's form hands it to the backends as
    ``email`` (its field is ``login``), the admin's as ``username``. Lower-cased, as accounts store it, so
    ``LEAD@…`` and ``lead@…`` count against one lock."""
    values = dict(credentials or {})
    post = getattr(request, "POST", None) or {}
    for key in ("email", "username", "login"):
        value = values.get(key) or post.get(key)
        if value:
            return str(value).strip().lower()
    return None
