"""Placing Reliance (DOMAIN.md §3, §10a "Scope"): a participant relies on testing done by a third party.

The lead drafts a proposal — the party relied on, what it covers (test case ids and requirement references of the
latest published catalogue), a description and evidence files kept in the QAD evidence store with the same checks —
and proposes it to the Code Bodies that decide it: both the BSC and the REC for a new-entrant LDSO (Annex 3),
otherwise the bodies that approve the role. Each body's assessor records its decision once; when the last one has,
the proposal is decided and its combined outcome is what scoping reads (``workflow.combine``).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from collections.abc import Iterable
from typing import IO

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.participants.choices import MarketRole, Route, approvals_needed
from qualify.qad.models import EvidenceFile
from qualify.qad.services import evidence_upload, response_open
from qualify.testing.choices import QT_ROUTES, ProposalState, RelianceOutcome, ReliedOnKind
from qualify.testing.models import CatalogueCase, RelianceDecisionRecord, RelianceProposal
from qualify.testing.permissions import assessor_body, can_decide_reliance, can_draft_reliance
from qualify.testing.selectors.catalogue import latest_published_catalogue
from qualify.testing.workflow import RELIANCE_WORKFLOW

MAX_COVERS = 200
MAX_ITEM = 40
MAX_TEXT = 5000
MAX_EVIDENCE = 20
CODE_BODIES = ("BSC", "REC", "DIP")
# A proposal can be drafted while the case's scope can still change: before the Final QAD.
OPEN_STATES = frozenset(
    {
        CaseState.DRAFT,
        CaseState.PREQUAL_SUBMITTED,
        CaseState.SCOPED,
        CaseState.PIT,
        CaseState.INITIAL_QAD_SUBMITTED,
        CaseState.INITIAL_CLARIFICATION,
        CaseState.TESTING,
    }
)


def reliance_bodies(case: QualificationCase) -> list[str]:
    """The Code Bodies that decide a case's proposals: BSC and REC for a new-entrant LDSO; otherwise the Code Bodies
    that approve the role (participants.choices.APPROVALS_BY_ROLE)."""
    participation = case.participation
    if participation.route == Route.NEW_ENTRANT and participation.role == MarketRole.LDSO:
        return ["BSC", "REC"]
    return [b for b in approvals_needed(participation.role) if b in CODE_BODIES]


def clean_covers(covers: Iterable[str]) -> list[str]:
    """Test case ids and requirement references, checked against the latest published catalogue, deduplicated,
    in the catalogue's own spelling; refused when empty, too many, or naming something the catalogue lacks."""
    given = list(dict.fromkeys(str(c).strip()[:MAX_ITEM] for c in covers if str(c).strip()))
    if len(given) > MAX_COVERS:
        raise ValidationFailed(f"A proposal covers at most {MAX_COVERS} items.", details={"covers": "too_many"})
    if not given:
        return []
    catalogue = latest_published_catalogue()
    if catalogue is None:
        raise ValidationFailed(
            "No test catalogue is published yet, so what a proposal covers cannot be checked.",
            details={"covers": "no_catalogue"},
            code="no_published_catalogue",
        )
    known: dict[str, str] = {}
    for case_id, requirements in CatalogueCase.objects.filter(catalogue=catalogue).values_list(
        "case_id", "requirements"
    ):
        known[case_id.upper()] = case_id
        for ref in requirements:
            known.setdefault(str(ref).upper(), str(ref))
    unknown = [c for c in given if c.upper() not in known]
    if unknown:
        raise ValidationFailed(
            f"Not a test case id or requirement reference of catalogue v{catalogue.version}: "
            + ", ".join(unknown[:10])
            + ".",
            details={"covers": unknown[:10]},
            code="unknown_cover",
        )
    return list(dict.fromkeys(known[c.upper()] for c in given))


def _check_case(case: QualificationCase) -> None:
    if case.participation.route not in QT_ROUTES:
        raise ValidationFailed(
            "A SIT-route participant runs no catalogue case, so it has nothing to rely on.", details={"route": "SIT"}
        )
    if case.state not in OPEN_STATES:
        raise ValidationFailed(
            f"A reliance proposal is drafted before the Final QAD; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
        )


def _locked(proposal: RelianceProposal) -> RelianceProposal:
    locked: RelianceProposal = (
        RelianceProposal.objects.select_for_update().select_related("case__participation").get(pk=proposal.pk)
    )
    return locked


@transaction.atomic
def reliance_draft(
    *,
    actor: Actor,
    case: QualificationCase,
    relied_on_name: str,
    relied_on_kind: str,
    relied_on_mpid: str = "",
    covers: Iterable[str] = (),
    description: str = "",
    proposal: RelianceProposal | None = None,
) -> RelianceProposal:
    """Create a draft proposal, or change one still in draft (the lead only)."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    can_draft_reliance(actor, case).enforce()
    _check_case(case)
    name = " ".join(relied_on_name.split())[:200]
    if not name:
        raise ValidationFailed("Name the party relied on.", details={"relied_on_name": "required"})
    if relied_on_kind not in ReliedOnKind.values:
        raise ValidationFailed("Say what kind of party it is.", details={"relied_on_kind": "unknown"})
    mpid = relied_on_mpid.strip().upper()
    if mpid and (len(mpid) != 4 or not mpid.isalpha() or not mpid.isascii()):
        raise ValidationFailed("An MPID is four capital letters.", details={"relied_on_mpid": "bad"})
    values = {
        "relied_on_name": name,
        "relied_on_mpid": mpid,
        "relied_on_kind": relied_on_kind,
        "covers": clean_covers(covers),
        "description": description.strip()[:MAX_TEXT],
    }
    if proposal is None:
        # The reference is taken from the row's own id (as assessment numbers its queries), so two writers at once
        # never compute the same one; a placeholder holds the unique column between insert and update.
        proposal = RelianceProposal.objects.create(
            reference=f"PRP-{uuid_mod.uuid4().hex[:12]}", case=case, bodies=reliance_bodies(case), **values
        )
        proposal.reference = f"PRP-{proposal.pk:06d}"
        proposal.save(update_fields=["reference"])
        action = "testing.reliance.draft"
    else:
        proposal = _locked(proposal)
        if proposal.case_id != case.pk:
            raise ValidationFailed("That proposal belongs to another case.", details={"proposal": "other_case"})
        if proposal.state != ProposalState.DRAFT:
            raise ValidationFailed(
                f"{proposal.reference} was put to the Code Bodies; it can no longer be changed.",
                details={"state": proposal.state},
                code="not_a_draft",
            )
        for field, value in values.items():
            setattr(proposal, field, value)
        proposal.bodies = reliance_bodies(case)
        proposal.save()
        action = "testing.reliance.edit"
    audit_record(
        actor=actor,
        action=action,
        target=proposal,
        organisation_id=int(case.participation.organisation_id),
        changes={**values, "description": values["description"][:200], "bodies": proposal.bodies},
    )
    return proposal


def reliance_evidence_add(
    *,
    actor: Actor,
    proposal: RelianceProposal,
    upload: IO[bytes],
    name: str,
    size: int,
    evidence_as_of: dt.date,
) -> EvidenceFile:
    """Upload one evidence file for a draft proposal through the QAD evidence store (same name, size and content
    checks, hashed while copied) and attach it. Like the QAD upload, the copy runs before the transaction that
    records it, so a slow copy never holds the proposal's lock."""
    proposal = RelianceProposal.objects.select_related("case__participation").get(pk=proposal.pk)
    can_draft_reliance(actor, proposal.case).enforce()
    _refuse_unless_draft(proposal)
    if proposal.evidence.count() >= MAX_EVIDENCE:
        raise ValidationFailed(
            f"A proposal carries at most {MAX_EVIDENCE} evidence files.", details={"evidence": "too_many"}
        )
    response = response_open(actor=actor, case=proposal.case)
    evidence = evidence_upload(
        actor=actor, response=response, upload=upload, name=name, size=size, evidence_as_of=evidence_as_of
    )
    _attach(actor=actor, proposal=proposal, evidence=evidence)
    return evidence


def _refuse_unless_draft(proposal: RelianceProposal) -> None:
    if proposal.state != ProposalState.DRAFT:
        raise ValidationFailed(
            f"{proposal.reference} was put to the Code Bodies; its evidence can no longer change.",
            details={"state": proposal.state},
            code="not_a_draft",
        )


@transaction.atomic
def _attach(*, actor: Actor, proposal: RelianceProposal, evidence: EvidenceFile) -> None:
    proposal = _locked(proposal)
    _refuse_unless_draft(proposal)
    proposal.evidence.add(evidence)
    audit_record(
        actor=actor,
        action="testing.reliance.evidence",
        target=proposal,
        organisation_id=int(proposal.case.participation.organisation_id),
        changes={"evidence": evidence.original_name, "sha256": evidence.sha256},
    )


def reliance_propose(*, actor: Actor, proposal: RelianceProposal) -> RelianceProposal:
    """Put a draft to the Code Bodies (the workflow checks it covers something)."""
    return apply_transition(RELIANCE_WORKFLOW, actor=actor, instance=proposal, name="propose")


def reliance_withdraw(*, actor: Actor, proposal: RelianceProposal, reason: str = "") -> RelianceProposal:
    """Withdraw a proposal not yet decided."""
    return apply_transition(
        RELIANCE_WORKFLOW,
        actor=actor,
        instance=proposal,
        name="withdraw",
        data=TransitionInput(comment=reason.strip()[:MAX_TEXT]),
    )


@transaction.atomic
def reliance_decide(
    *,
    actor: Actor,
    proposal: RelianceProposal,
    outcome: str,
    reasons: str,
    accepted_covers: Iterable[str] = (),
) -> RelianceDecisionRecord:
    """Record the actor's Code Body's decision, once: accepted, partly accepted (naming the covered items it accepts)
    or refused, always with reasons. The last body's decision decides the proposal (step ``decide``)."""
    proposal = _locked(proposal)
    can_decide_reliance(actor, proposal).enforce()
    body = str(assessor_body(actor))
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationFailed(
            f"{proposal.reference} is {proposal.get_state_display().lower()}; only a proposal with the Code Bodies "
            "can be decided.",
            details={"state": proposal.state},
            code="not_proposed",
        )
    if RelianceDecisionRecord.objects.filter(proposal=proposal, body=body).exists():
        raise ValidationFailed(
            f"The {body} has already decided on {proposal.reference}.", details={"body": body}, code="already_decided"
        )
    if outcome not in RelianceOutcome.values:
        raise ValidationFailed("Choose accepted, partly accepted or refused.", details={"outcome": "unknown"})
    text = reasons.strip()[:MAX_TEXT]
    if not text:
        raise ValidationFailed("Give the reasons for the decision.", details={"reasons": "required"})
    accepted: list[str] = []
    if outcome == RelianceOutcome.ACCEPTED:
        accepted = list(proposal.covers)
    elif outcome == RelianceOutcome.PARTLY_ACCEPTED:
        named = {str(c).strip().upper() for c in accepted_covers if str(c).strip()}
        outside = sorted(n for n in named if n not in {c.upper() for c in proposal.covers})
        if outside:
            raise ValidationFailed(
                "A partial acceptance names only items the proposal covers; not covered: " + ", ".join(outside[:10]),
                details={"accepted_covers": outside[:10]},
            )
        accepted = [c for c in proposal.covers if c.upper() in named]
        if not accepted:
            raise ValidationFailed(
                "Name the covered items the body accepts (or refuse the proposal).",
                details={"accepted_covers": "required"},
            )
        if len(accepted) == len(proposal.covers):
            raise ValidationFailed(
                "That is everything the proposal covers: record it as accepted.",
                details={"accepted_covers": "all"},
            )
    record = RelianceDecisionRecord.objects.create(
        proposal=proposal,
        body=body,
        outcome=outcome,
        accepted_covers=accepted,
        reasons=text,
        decided_at=clock.now(),
        decided_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="testing.reliance.body_decision",
        target=proposal,
        organisation_id=int(proposal.case.participation.organisation_id),
        changes={"body": body, "outcome": outcome, "accepted_covers": accepted, "reasons": text[:200]},
    )
    decided = set(RelianceDecisionRecord.objects.filter(proposal=proposal).values_list("body", flat=True))
    if all(b in decided for b in proposal.bodies):
        apply_transition(RELIANCE_WORKFLOW, actor=actor, instance=proposal, name="decide")
    return record


def undecided_reliance_guard(case: QualificationCase, data: TransitionInput) -> str | None:
    """Scope is confirmed only once every proposal put to the Code Bodies is decided (DOMAIN.md §4 "scoped")."""
    waiting = list(
        RelianceProposal.objects.filter(case=case, state=ProposalState.PROPOSED).values_list("reference", flat=True)
    )
    if waiting:
        return (
            f"Reliance proposal {', '.join(waiting[:5])} is still with the Code Bodies; scope can be confirmed once "
            "it is decided (or withdrawn)."
        )
    return None
