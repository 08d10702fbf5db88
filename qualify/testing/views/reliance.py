"""Placing Reliance pages: a case's proposals (the lead drafts, proposes, withdraws; each Code Body's assessor
decides), and the reliance graph (who relies on a provider, and for what). Thin adapters over services/reliance.py
and selectors/reliance.py; a participant sees only its own organisation's proposals."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qualify.cases.models import QualificationCase
from qualify.core import guards
from qualify.core.requests import actor_of
from qualify.core.roles import StaffRole
from qualify.core.uploads import SizeLimitHandler
from qualify.core.web import ask_first, paginate, report_error
from qualify.qad import evidence as ev
from qualify.testing.choices import ProposalState, RelianceOutcome
from qualify.testing.forms import ConfirmedReasonForm, ProposalDecisionForm, ProposalEvidenceForm, ProposalForm
from qualify.testing.models import RelianceProposal
from qualify.testing.permissions import assessor_body, can_decide_reliance, can_draft_reliance
from qualify.testing.selectors.reliance import ProviderQuery, proposal_list, reliance_graph, reliance_providers
from qualify.testing.services.reliance import (
    reliance_decide,
    reliance_draft,
    reliance_evidence_add,
    reliance_propose,
    reliance_withdraw,
)
from qualify.testing.views.common import attempt, case_or_404, proposal_or_404
from qualify.testing.workflow import RELIANCE_WORKFLOW

ASSESSORS = (StaffRole.BSC_ASSESSOR, StaffRole.REC_ASSESSOR, StaffRole.DIP_ASSESSOR)
PER_PAGE = 50

DECIDE_CONFIRM = (
    "Your body's decision on the proposal is recorded once and cannot be changed; it shapes the case's scope."
)


def _form_error(request: HttpRequest, form: Any) -> None:
    messages.error(
        request,
        "Please check: " + "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
    )


@guards.signed_in
def case_reliance_view(request: HttpRequest, key: str) -> HttpResponse:
    """A case's reliance proposals, and (for its lead) a new draft."""
    case = case_or_404(request, key)
    actor = actor_of(request)
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if not form.is_valid():
            _form_error(request, form)
            return redirect("testing:case_reliance", key=case.reference)
        proposal = attempt(request, lambda: _draft(request, case, form, None))
        if proposal is not None:
            messages.success(request, f"{proposal.reference} saved as a draft.")
            return redirect("testing:proposal", key=proposal.reference)
        return redirect("testing:case_reliance", key=case.reference)
    context = {
        "case": case,
        "proposals": list(proposal_list(actor=actor, case=case)),
        "can_draft": can_draft_reliance(actor, case).allowed,
        "form": ProposalForm(),
    }
    return render(request, "testing/case_reliance.html", context)


def _draft(
    request: HttpRequest, case: QualificationCase, form: ProposalForm, proposal: RelianceProposal | None
) -> RelianceProposal:
    data = form.cleaned_data
    return reliance_draft(
        actor=actor_of(request),
        case=case,
        proposal=proposal,
        relied_on_name=data["relied_on_name"],
        relied_on_mpid=data["relied_on_mpid"] or "",
        relied_on_kind=data["relied_on_kind"],
        covers=form.covers_list(),
        description=data["description"] or "",
    )


@guards.signed_in
def proposal_view(request: HttpRequest, key: str) -> HttpResponse:
    """One proposal: what it covers, its evidence, each body's decision and the combined outcome; the lead edits a
    draft here, and an assessor of a deciding body records its decision."""
    proposal = proposal_or_404(request, key)
    actor = actor_of(request)
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if not form.is_valid():
            _form_error(request, form)
        elif attempt(request, lambda: _draft(request, proposal.case, form, proposal)) is not None:
            messages.success(request, f"{proposal.reference} saved.")
        return redirect("testing:proposal", key=proposal.reference)
    decided = {d.body for d in proposal.decisions.all()}
    body = assessor_body(actor)
    context = {
        "proposal": proposal,
        "case": proposal.case,
        "decisions": list(proposal.decisions.all()),
        "waiting": [b for b in proposal.bodies if b not in decided],
        "evidence": list(proposal.evidence.all()),
        "steps": {t.name: t for t in RELIANCE_WORKFLOW.available(actor, proposal)},
        "is_draft": proposal.state == ProposalState.DRAFT,
        "can_draft": can_draft_reliance(actor, proposal.case).allowed,
        "can_decide": proposal.state == ProposalState.PROPOSED
        and can_decide_reliance(actor, proposal).allowed
        and body not in decided,
        "body": body,
        "form": ProposalForm(
            initial={
                "relied_on_name": proposal.relied_on_name,
                "relied_on_mpid": proposal.relied_on_mpid,
                "relied_on_kind": proposal.relied_on_kind,
                "covers": "\n".join(proposal.covers),
                "description": proposal.description,
            }
        ),
        "decision_form": ProposalDecisionForm(covers=proposal.covers),
        "decide_confirm": DECIDE_CONFIRM,
        "outcomes": RelianceOutcome.choices,
        "evidence_form": ProposalEvidenceForm(),
    }
    return render(request, "testing/proposal.html", context)


@guards.signed_in
@csrf_exempt
def proposal_evidence_view(request: HttpRequest, key: str) -> HttpResponseBase:
    """Upload one evidence file for a draft proposal, through the QAD evidence store (size-limited as it arrives)."""
    # As for QAD evidence: the size limit and disk spooling go in before anything reads the body (the CSRF check
    # does), so CSRF is checked next, by hand.
    limit = ev.install_upload_handlers(request)
    return _evidence_protected(request, key, limit)


@csrf_protect
def _evidence_protected(request: HttpRequest, key: str, limit: SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    proposal = proposal_or_404(request, key)
    actor = actor_of(request)
    attempt(request, lambda: can_draft_reliance(actor, proposal.case).enforce())
    if limit is not None and limit.exceeded:
        report_error(request, ev.too_big_error())
        return redirect("testing:proposal", key=proposal.reference)
    form = ProposalEvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("testing:proposal", key=proposal.reference)
    upload: UploadedFile[bytes] = form.cleaned_data["file"]
    evidence = attempt(
        request,
        lambda: reliance_evidence_add(
            actor=actor,
            proposal=proposal,
            upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
            name=upload.name or "",
            size=upload.size or 0,
            evidence_as_of=form.cleaned_data["evidence_as_of"],
        ),
    )
    if evidence is not None:
        messages.success(request, f"{evidence.original_name} attached (SHA-256 {evidence.sha256[:12]}…).")
    return redirect("testing:proposal", key=proposal.reference)


@require_POST
@guards.signed_in
def proposal_propose_view(request: HttpRequest, key: str) -> HttpResponse:
    proposal = proposal_or_404(request, key)
    form = ConfirmedReasonForm(request.POST)
    attempt(request, lambda: can_draft_reliance(actor_of(request), proposal.case).enforce())
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        messages.error(request, f"Tick “{RELIANCE_WORKFLOW.get('propose').confirm}” to propose it.")
    elif attempt(request, lambda: reliance_propose(actor=actor_of(request), proposal=proposal)) is not None:
        messages.success(request, f"{proposal.reference} is with the Code Bodies: {', '.join(proposal.bodies)}.")
    return redirect("testing:proposal", key=proposal.reference)


@require_POST
@guards.signed_in
def proposal_withdraw_view(request: HttpRequest, key: str) -> HttpResponse:
    proposal = proposal_or_404(request, key)
    form = ConfirmedReasonForm(request.POST)
    attempt(request, lambda: can_draft_reliance(actor_of(request), proposal.case).enforce())
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        messages.error(request, f"Tick “{RELIANCE_WORKFLOW.get('withdraw').confirm}” to withdraw it.")
    elif (
        attempt(
            request,
            lambda: reliance_withdraw(actor=actor_of(request), proposal=proposal, reason=form.cleaned_data["reason"]),
        )
        is not None
    ):
        messages.success(request, f"{proposal.reference} is withdrawn.")
    return redirect("testing:proposal", key=proposal.reference)


@require_POST
@guards.staff(*ASSESSORS)
def proposal_decide_view(request: HttpRequest, key: str) -> HttpResponse:
    """A Code Body assessor records its body's decision (once), with reasons."""
    proposal = proposal_or_404(request, key)
    form = ProposalDecisionForm(request.POST, covers=proposal.covers)
    if not form.is_valid():
        attempt(request, lambda: can_decide_reliance(actor_of(request), proposal).enforce())
        _form_error(request, form)
        return redirect("testing:proposal", key=proposal.reference)
    asking = ask_first(
        request,
        action="Record the decision",
        consequence=DECIDE_CONFIRM,
        back_url=reverse("testing:proposal", args=[proposal.reference]),
    )
    if asking is not None:
        return asking
    data = form.cleaned_data
    record = attempt(
        request,
        lambda: reliance_decide(
            actor=actor_of(request),
            proposal=proposal,
            outcome=data["outcome"],
            reasons=data["reasons"],
            accepted_covers=data["accepted_covers"],
        ),
    )
    if record is not None:
        messages.success(request, f"The {record.body} decision on {proposal.reference} is recorded.")
    return redirect("testing:proposal", key=proposal.reference)


@guards.signed_in
def reliance_providers_view(request: HttpRequest) -> HttpResponse:
    """Every party relied on, with how many proposals and participants rely on it (a participant: only its own)."""
    page = paginate(request, reliance_providers(actor=actor_of(request)), per_page=PER_PAGE)
    rows = [
        {**row, "query": urlencode({k: v for k, v in (("name", row["name"]), ("mpid", row["relied_on_mpid"])) if v})}
        for row in page.object_list
    ]
    return render(request, "testing/reliance_providers.html", {"page": page, "rows": rows})


@guards.signed_in
def reliance_graph_view(request: HttpRequest) -> HttpResponse:
    """Everyone relying on one provider (by name, case-insensitively, and/or MPID) and for what."""
    query = ProviderQuery.of(request.GET.get("name"), request.GET.get("mpid"))
    page = paginate(request, reliance_graph(actor=actor_of(request), query=query), per_page=PER_PAGE)
    keep = urlencode({k: v for k, v in (("name", query.name), ("mpid", query.mpid)) if v})
    return render(request, "testing/reliance_graph.html", {"page": page, "query": query, "keep": keep})
