"""Errors that services raise and every interface translates the same way (STYLE.md rule 14).

HTML views show them as messages or form errors; the API renders ``{"error": {"code", "message", "details"}}``
with the status given here.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, details: dict[str, Any] | list[Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotAllowed(DomainError):
    """The actor may see the object but may not do this to it."""

    status = 403
    code = "not_allowed"


class NotFound(DomainError):
    """Does not exist, or is outside the actor's scope: the two are indistinguishable by design."""

    status = 404
    code = "not_found"


class TransitionNotAllowed(DomainError):
    status = 409
    code = "transition_not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"
