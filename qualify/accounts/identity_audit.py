"""Audit events for the security changes django-allauth makes on a person's own account.

allauth's pages change the account themselves (a second factor added or removed, recovery codes regenerated, the
password changed or reset), so its signals are the one place to hear of them. Each becomes an audit event naming the
person as actor (allauth sends some once its change is committed, so the event follows it at once rather than inside
its transaction); no secret (a code, a key, a password) is ever recorded.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset

from qualify.audit.services import audit_record
from qualify.core.actor import actor_for_user


def _record(request: Any, user: Any, action: str, changes: dict[str, Any]) -> None:
    actor = actor_for_user(user, request_id=getattr(request, "request_id", ""))
    audit_record(actor=actor, action=action, target=user, organisation_id=None, changes=changes)


def _on_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record(request, user, "accounts.second_factor.add", {"type": authenticator.type})


def _on_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record(request, user, "accounts.second_factor.remove", {"type": authenticator.type})


def _on_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record(request, user, "accounts.second_factor.reset", {"type": authenticator.type})


def _on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(request, user, "accounts.password.change", {})


def _on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(request, user, "accounts.password.reset", {})


def connect() -> None:
    authenticator_added.connect(_on_added, dispatch_uid="qualify-audit-authenticator-added")
    authenticator_removed.connect(_on_removed, dispatch_uid="qualify-audit-authenticator-removed")
    authenticator_reset.connect(_on_reset, dispatch_uid="qualify-audit-authenticator-reset")
    password_changed.connect(_on_password_changed, dispatch_uid="qualify-audit-password-changed")
    password_reset.connect(_on_password_reset, dispatch_uid="qualify-audit-password-reset")
