"""Placing Reliance over the API: a case's proposals, drafting, evidence, proposing, withdrawing, each Code Body's
decision, and the reliance graph. Same services and selectors as the pages: another organisation's proposal is 404,
a step by the wrong person 403, a step the proposal's state does not allow 409, a bad value 422.

No ``from __future__ import annotations`` here: Ninja reads the paginated graph's ``Query[...]`` filter from the
signature at import time, as in library/api.py."""

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.cases.selectors import case_get
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import ValidationFailed
from qualify.core.requests import actor_of
from qualify.qad import evidence as ev
from qualify.testing.models import RelianceProposal
from qualify.testing.permissions import can_draft_reliance
from qualify.testing.selectors.reliance import (
    ProviderQuery,
    proposal_get,
    proposal_list,
    reliance_graph,
    reliance_providers,
)
from qualify.testing.services.reliance import (
    MAX_COVERS,
    MAX_ITEM,
    MAX_TEXT,
    reliance_decide,
    reliance_draft,
    reliance_evidence_add,
    reliance_propose,
    reliance_withdraw,
)

router = Router()


class RelianceDecisionOut(Schema):
    body: str
    outcome: str
    accepted_covers: list[str]
    reasons: str
    decided_at: dt.datetime
    decided_by_name: str


class RelianceEvidenceOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    sha256: str
    size: int
    evidence_as_of: dt.date


class ProposalOut(Schema):
    uuid: uuid_mod.UUID
    reference: str
    case: str
    organisation: str
    relied_on_name: str
    relied_on_mpid: str
    relied_on_kind: str
    covers: list[str]
    description: str
    bodies: list[str]
    state: str
    outcome: str
    accepted_covers: list[str]
    decisions: list[RelianceDecisionOut]
    evidence: list[RelianceEvidenceOut]


class ProposalIn(Schema):
    relied_on_name: str = Field(..., max_length=200)
    relied_on_mpid: str = Field("", max_length=4)
    relied_on_kind: str = Field(..., max_length=20)
    covers: list[str] = Field(default_factory=list, max_length=MAX_COVERS)
    description: str = Field("", max_length=MAX_TEXT)


class RelianceDecisionIn(Schema):
    outcome: str = Field(..., max_length=16)
    reasons: str = Field(..., max_length=MAX_TEXT)
    accepted_covers: list[str] = Field(default_factory=list, max_length=MAX_COVERS)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class ProviderOut(Schema):
    name: str
    mpid: str
    proposals: int
    participants: int
    accepted: int


class RelyingOut(Schema):
    organisation: str
    case: str
    mpid: str
    role: str
    proposal: str
    state: str
    outcome: str
    covers: list[str]
    accepted_covers: list[str]


class ProviderFilter(Schema):
    name: str | None = Field(None, max_length=200)
    mpid: str | None = Field(None, max_length=4)


def _out(p: RelianceProposal) -> dict[str, Any]:
    return {
        "uuid": p.uuid,
        "reference": p.reference,
        "case": p.case.reference,
        "organisation": p.case.participation.organisation.name,
        "relied_on_name": p.relied_on_name,
        "relied_on_mpid": p.relied_on_mpid,
        "relied_on_kind": p.relied_on_kind,
        "covers": p.covers,
        "description": p.description,
        "bodies": p.bodies,
        "state": p.state,
        "outcome": p.outcome,
        "accepted_covers": p.accepted_covers,
        "decisions": [
            {
                "body": d.body,
                "outcome": d.outcome,
                "accepted_covers": d.accepted_covers,
                "reasons": d.reasons,
                "decided_at": d.decided_at,
                "decided_by_name": d.decided_by_name,
            }
            for d in p.decisions.all()
        ],
        "evidence": [
            {
                "uuid": e.uuid,
                "name": e.original_name,
                "sha256": e.sha256,
                "size": e.size,
                "evidence_as_of": e.evidence_as_of,
            }
            for e in p.evidence.all()
        ],
    }


def _fresh(request: HttpRequest, proposal: RelianceProposal) -> dict[str, Any]:
    return _out(proposal_get(actor=actor_of(request), key=proposal.reference))


@router.get("/testing/cases/{key}/reliance", response=list[ProposalOut], summary="A case's Placing Reliance proposals")
@paginate(BoundedLimitOffsetPagination)
def list_case_proposals(request: HttpRequest, key: str) -> Any:
    actor = actor_of(request)
    return [_out(p) for p in proposal_list(actor=actor, case=case_get(actor=actor, key=key))]


@router.post(
    "/testing/cases/{key}/reliance",
    response={201: ProposalOut},
    summary="Draft a reliance proposal (the qualification lead); covers are checked against the published catalogue",
)
def post_case_proposal(request: HttpRequest, key: str, payload: ProposalIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    proposal = reliance_draft(actor=actor, case=case, **payload.dict())
    return Status(201, _fresh(request, proposal))


@router.get("/testing/reliance/{key}", response=ProposalOut, summary="One proposal (PRP-000123 or UUID)")
def get_proposal(request: HttpRequest, key: str) -> dict[str, Any]:
    return _out(proposal_get(actor=actor_of(request), key=key))


@router.post("/testing/reliance/{key}", response=ProposalOut, summary="Change a draft proposal (the lead)")
def put_proposal(request: HttpRequest, key: str, payload: ProposalIn) -> dict[str, Any]:
    actor = actor_of(request)
    proposal = proposal_get(actor=actor, key=key)
    reliance_draft(actor=actor, case=proposal.case, proposal=proposal, **payload.dict())
    return _fresh(request, proposal)


@router.post(
    "/testing/reliance/{key}/evidence",
    response={201: ProposalOut},
    summary="Attach one evidence file to a draft (multipart: file, evidence_as_of), through the QAD evidence store",
)
def post_proposal_evidence(request: HttpRequest, key: str) -> Status[dict[str, Any]]:
    limit = ev.install_upload_handlers(request)
    actor = actor_of(request)
    proposal = proposal_get(actor=actor, key=key)
    # Refuse before reading the body, so nobody who may not upload can make the server spool a large file.
    can_draft_reliance(actor, proposal.case).enforce()
    files = request.FILES
    if limit is not None and limit.exceeded:
        raise ev.too_big_error()
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed("Send the file as the multipart field 'file'.", details={"file": "required"})
    try:
        as_of = dt.date.fromisoformat(request.POST.get("evidence_as_of", ""))
    except ValueError:
        raise ValidationFailed(
            "Send evidence_as_of as a date (YYYY-MM-DD).", details={"evidence_as_of": "required"}
        ) from None
    reliance_evidence_add(
        actor=actor,
        proposal=proposal,
        upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
        name=upload.name or "",
        size=upload.size or 0,
        evidence_as_of=as_of,
    )
    return Status(201, _fresh(request, proposal))


@router.post("/testing/reliance/{key}/propose", response=ProposalOut, summary="Put a draft to the Code Bodies")
def post_propose(request: HttpRequest, key: str) -> dict[str, Any]:
    actor = actor_of(request)
    reliance_propose(actor=actor, proposal=proposal_get(actor=actor, key=key))
    return _out(proposal_get(actor=actor, key=key))


@router.post("/testing/reliance/{key}/withdraw", response=ProposalOut, summary="Withdraw a proposal not yet decided")
def post_withdraw(request: HttpRequest, key: str, payload: WithdrawIn) -> dict[str, Any]:
    actor = actor_of(request)
    reliance_withdraw(actor=actor, proposal=proposal_get(actor=actor, key=key), reason=payload.reason)
    return _out(proposal_get(actor=actor, key=key))


@router.post(
    "/testing/reliance/{key}/decisions",
    response={201: ProposalOut},
    summary="Record the assessor's Code Body's decision (once): ACCEPTED, PARTLY_ACCEPTED (naming what) or REFUSED",
)
def post_decision(request: HttpRequest, key: str, payload: RelianceDecisionIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    reliance_decide(
        actor=actor,
        proposal=proposal_get(actor=actor, key=key),
        outcome=payload.outcome,
        reasons=payload.reasons,
        accepted_covers=[c[:MAX_ITEM] for c in payload.accepted_covers],
    )
    return Status(201, _out(proposal_get(actor=actor, key=key)))


@router.get(
    "/testing/reliance-providers",
    response=list[ProviderOut],
    summary="Every party relied on, with counts (a participant: only its own organisation's proposals)",
)
@paginate(BoundedLimitOffsetPagination)
def list_providers(request: HttpRequest) -> Any:
    return [
        {
            "name": r["name"],
            "mpid": r["relied_on_mpid"],
            "proposals": r["proposals"],
            "participants": r["participants"],
            "accepted": r["accepted"],
        }
        for r in reliance_providers(actor=actor_of(request))
    ]


@router.get(
    "/testing/reliance-graph",
    response=list[RelyingOut],
    summary="Who relies on a provider (by name, case-insensitively, and/or MPID) and for what",
)
@paginate(BoundedLimitOffsetPagination)
def list_relying(request: HttpRequest, filters: Query[ProviderFilter]) -> Any:
    query = ProviderQuery.of(filters.name, filters.mpid)
    return [
        {
            "organisation": p.case.participation.organisation.name,
            "case": p.case.reference,
            "mpid": p.case.participation.mpid,
            "role": p.case.participation.role,
            "proposal": p.reference,
            "state": p.state,
            "outcome": p.outcome,
            "covers": p.covers,
            "accepted_covers": p.accepted_covers,
        }
        for p in reliance_graph(actor=actor_of(request), query=query)
    ]
