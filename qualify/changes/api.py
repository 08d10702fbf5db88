"""Disclosed changes over the API: the Code Bodies' queue, a case's disclosures, one disclosure, and the writes
(disclose, assess, withdraw). Same services and selectors as the pages: another organisation's disclosure or case is
404, a step that is not yours is 403, a step the state does not allow is 409, an incomplete one 422.
(No ``from __future__ import annotations`` here: Ninja reads the paginated handlers' annotations at import.)
"""

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.cases.selectors import case_get
from qualify.changes import selectors as sel
from qualify.changes.choices import MAX_DESCRIPTION, MAX_REASON, MAX_SCOPE_ITEMS
from qualify.changes.models import ChangeAssessment, ChangeDisclosure
from qualify.changes.services import change_assess, change_disclose, change_withdraw
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of

router = Router(tags=["changes"])


class ChangeAssessmentOut(Schema):
    body: str
    requalification_needed: bool
    reason: str
    sections: list[str] = Field(description="QAD section numbers (the body's own) to submit again.")
    test_cases: list[str] = Field(description="QT test case ids to run again.")
    assessed_at: dt.datetime
    assessed_by_name: str


class ChangeDisclosureOut(Schema):
    reference: str
    case: str
    organisation: str
    mpid: str
    role: str
    kind: str
    effective_on: dt.date
    description: str
    disclosed_at: dt.datetime
    disclosed_by_name: str
    state: str
    bodies: list[str] = Field(description="The Code Bodies that approve the role, each of which assesses the change.")
    assessments: list[ChangeAssessmentOut]
    requalification_case: str | None = Field(
        description="The case opened to re-qualify what the change touched, when a body required it."
    )

    @staticmethod
    def resolve_case(obj: ChangeDisclosure) -> str:
        return obj.case.reference

    @staticmethod
    def resolve_organisation(obj: ChangeDisclosure) -> str:
        return obj.case.participation.organisation.name

    @staticmethod
    def resolve_mpid(obj: ChangeDisclosure) -> str:
        return obj.case.participation.mpid

    @staticmethod
    def resolve_role(obj: ChangeDisclosure) -> str:
        return obj.case.participation.role

    @staticmethod
    def resolve_assessments(obj: ChangeDisclosure) -> list[ChangeAssessment]:
        return list(obj.assessments.all())

    @staticmethod
    def resolve_requalification_case(obj: ChangeDisclosure) -> str | None:
        return obj.requalification_case.reference if obj.requalification_case is not None else None


class ChangeDiscloseIn(Schema):
    kind: str = Field(..., max_length=12, description="SYSTEMS, PROVIDER, PROCESSES, OWNERSHIP or VOLUMES.")
    effective_on: dt.date
    description: str = Field(..., max_length=MAX_DESCRIPTION)


class ChangeAssessIn(Schema):
    body: str = Field(..., max_length=8, description="Your Code Body: BSC, REC or DIP.")
    requalification_needed: bool
    reason: str = Field(..., max_length=MAX_REASON)
    sections: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_ITEMS)
    test_cases: list[str] = Field(default_factory=list, max_length=MAX_SCOPE_ITEMS)


class ChangeWithdrawIn(Schema):
    reason: str = Field(..., max_length=MAX_REASON)


def _fresh(actor_request: HttpRequest, reference: str) -> ChangeDisclosure:
    return sel.disclosure_get(actor=actor_of(actor_request), reference=reference)


@router.get("/changes", response=list[ChangeDisclosureOut])
@paginate(BoundedLimitOffsetPagination)
def disclosure_queue(request: HttpRequest, filters: Query[sel.DisclosureFilters]) -> QuerySet[ChangeDisclosure]:
    """Every organisation's disclosed changes, for the Code Bodies and the Programme (``state=OPEN``: undecided)."""
    return sel.disclosure_queue(actor=actor_of(request), filters=filters)


@router.get("/changes/cases/{key}", response=list[ChangeDisclosureOut])
@paginate(BoundedLimitOffsetPagination)
def case_disclosures(request: HttpRequest, key: str) -> QuerySet[ChangeDisclosure]:
    """A case's disclosed changes, newest first."""
    actor = actor_of(request)
    return sel.case_disclosures(actor=actor, case=case_get(actor=actor, key=key))


@router.post("/changes/cases/{key}", response={201: ChangeDisclosureOut})
def disclose(request: HttpRequest, key: str, payload: ChangeDiscloseIn) -> Status[ChangeDisclosure]:
    """The qualification lead discloses a change to a qualified case; the approving Code Bodies are told."""
    actor = actor_of(request)
    made = change_disclose(
        actor=actor,
        case=case_get(actor=actor, key=key),
        kind=payload.kind.upper(),
        effective_on=payload.effective_on,
        description=payload.description,
    )
    return Status(201, _fresh(request, made.reference))


@router.get("/changes/{reference}", response=ChangeDisclosureOut)
def disclosure(request: HttpRequest, reference: str) -> ChangeDisclosure:
    return _fresh(request, reference)


@router.post("/changes/{reference}/assessments", response=ChangeDisclosureOut)
def assess(request: HttpRequest, reference: str, payload: ChangeAssessIn) -> ChangeDisclosure:
    """Your Code Body's assessment: does the change need re-qualification, and of which sections and test cases."""
    change_assess(
        actor=actor_of(request),
        disclosure=_fresh(request, reference),
        body=payload.body.upper(),
        requalification_needed=payload.requalification_needed,
        reason=payload.reason,
        sections=payload.sections,
        test_cases=payload.test_cases,
    )
    return _fresh(request, reference)


@router.post("/changes/{reference}/withdraw", response=ChangeDisclosureOut)
def withdraw(request: HttpRequest, reference: str, payload: ChangeWithdrawIn) -> ChangeDisclosure:
    """The qualification lead withdraws a disclosure the Code Bodies have not decided yet."""
    change_withdraw(actor=actor_of(request), disclosure=_fresh(request, reference), reason=payload.reason)
    return _fresh(request, reference)
