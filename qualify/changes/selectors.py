"""Reads about disclosed changes, always from ``visible_to(actor)``: another organisation's disclosure is not found."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from ninja import Schema
from pydantic import field_validator

from qualify.cases.models import QualificationCase
from qualify.changes.choices import UNDECIDED, ChangeKind, DisclosureState
from qualify.changes.models import ChangeAssessment, ChangeDisclosure
from qualify.changes.permissions import can_see_queue
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.filters import choice_filter
from qualify.participants.choices import MarketRole, approvals_needed
from qualify.qad.choices import Body

OPEN = "OPEN"  # the queue's default: every disclosure still undecided


class DisclosureFilters(Schema):
    """The one filter set for the Code Bodies' queue: the page reads it from the query string, the API declares it.

    ``state`` is a disclosure state or ``OPEN`` (undecided, the default on the page); ``kind`` a kind of change;
    ``body`` keeps the disclosures a body still has to assess.
    """

    state: str = ""
    kind: str = ""
    body: str = ""

    _state = field_validator("state", mode="before")(
        choice_filter("state", lambda: [OPEN, *DisclosureState.values], upper=True)
    )
    _kind = field_validator("kind", mode="before")(choice_filter("kind", lambda: ChangeKind.values, upper=True))
    _body = field_validator("body", mode="before")(choice_filter("body", lambda: Body.values, upper=True))

    @classmethod
    def from_mapping(cls, data: Any) -> DisclosureFilters:
        return cls(**{f: str(data.get(f, "") or "").strip() for f in cls.model_fields})

    def apply(self, qs: QuerySet[ChangeDisclosure]) -> QuerySet[ChangeDisclosure]:
        if self.state == OPEN:
            qs = qs.filter(state__in=list(UNDECIDED))
        elif self.state:
            qs = qs.filter(state=self.state)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.body:
            # The bodies a disclosure names are those that approve its role (JSON "contains" is not portable).
            roles = [r for r in MarketRole.values if self.body in approvals_needed(r)]
            qs = qs.filter(case__participation__role__in=roles, state__in=list(UNDECIDED)).exclude(
                assessments__body=self.body
            )
        return qs


def _base(actor: Actor) -> QuerySet[ChangeDisclosure]:
    return (
        ChangeDisclosure.objects.visible_to(actor)
        .select_related("case__participation__organisation", "requalification_case")
        .prefetch_related(Prefetch("assessments", queryset=ChangeAssessment.objects.order_by("body")))
    )


def disclosure_queue(*, actor: Actor, filters: DisclosureFilters | None = None) -> QuerySet[ChangeDisclosure]:
    """Every organisation's disclosures, for the Code Bodies and the Programme (a fixed number of queries a page)."""
    can_see_queue(actor).enforce()
    return (filters or DisclosureFilters()).apply(_base(actor)).order_by("-disclosed_at", "-pk")


def case_disclosures(*, actor: Actor, case: QualificationCase) -> QuerySet[ChangeDisclosure]:
    """One case's disclosures (the case was fetched within the actor's scope)."""
    return _base(actor).filter(case=case).order_by("-disclosed_at", "-pk")


def disclosure_get(*, actor: Actor, reference: str) -> ChangeDisclosure:
    found = _base(actor).filter(reference=str(reference).strip().upper()).first()
    if found is None:
        raise NotFound("No such disclosed change.")
    return found
