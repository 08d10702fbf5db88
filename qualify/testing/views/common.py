"""What the pre-qualification, reliance and scope pages share: fetching within scope, and running a service so that
a refusal of permission is a 403 and any other refusal a message the person can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.errors import DomainError, NotAllowed
from qualify.core.requests import actor_of
from qualify.core.web import report_error
from qualify.testing.models import RelianceProposal
from qualify.testing.selectors.reliance import proposal_get

T = TypeVar("T")


def case_or_404(request: HttpRequest, key: str) -> QualificationCase:
    return case_get(actor=actor_of(request), key=key)


def proposal_or_404(request: HttpRequest, key: str) -> RelianceProposal:
    return proposal_get(actor=actor_of(request), key=key)


def attempt(request: HttpRequest, action: Callable[[], T]) -> T | None:
    """Run a service: None (with the refusal shown) when it refuses; a permission refusal is a 403."""
    try:
        return action()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as error:
        report_error(request, error)
        return None
