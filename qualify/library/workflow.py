"""The library's state machines and the order of governance, as declarative tables (DOMAIN.md §9).

An artefact version is drafted, consulted on, approved for governance once its consultation has closed, every comment
is answered and the outcome has been reported to the working group (QWG), baselined when every governance body its
artefact needs has approved it in the published order (QAG first, then the REC and BSC PABs in either order), and
superseded when a later version is baselined. A consolidated comments log needs no governance: it is published as
soon as it is generated. A comment is a draft until its organisation submits it, which it may do only while the
consultation is open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import TransitionNotAllowed
from qualify.core.workflow import AppliedTransition, Guard, Transition, TransitionInput, Workflow, register
from qualify.library import permissions as who
from qualify.library.choices import (
    BODY_SHORT_NAMES,
    CommentStatus,
    ConsultationStatus,
    GovernanceDecision,
    GoverningBody,
    VersionStatus,
)
from qualify.library.models import ArtefactVersion, Comment, GovernanceApproval, VersionTransition

V = VersionStatus


def _latest_approvals(version: ArtefactVersion) -> dict[str, GovernanceApproval]:
    """Each body's latest decision row on the version (a body may defer first and approve later)."""
    latest: dict[str, GovernanceApproval] = {}
    for approval in version.approvals.order_by("decided_on", "recorded_at", "pk"):
        latest[approval.body] = approval
    return latest


def latest_decisions(version: ArtefactVersion) -> dict[str, str]:
    """Each body's latest decision on the version."""
    return {body: approval.decision for body, approval in _latest_approvals(version).items()}


def missing_approvals(version: ArtefactVersion) -> list[str]:
    """The bodies the artefact needs whose latest decision is not an approval."""
    latest = latest_decisions(version)
    return [b for b in version.artefact.required_bodies if latest.get(b) != GovernanceDecision.APPROVE]


def _consultations_closed(version: ArtefactVersion, data: TransitionInput) -> str | None:
    now = clock.now()
    if any(c.status_at(now) != ConsultationStatus.CLOSED for c in version.consultations.all()):
        return "The version's consultation has not closed yet."
    return None


def _comments_answered(version: ArtefactVersion, data: TransitionInput) -> str | None:
    waiting = version.comments.filter(status=CommentStatus.SUBMITTED, outcome="").count()
    if waiting:
        return f"{waiting} comment{'s' if waiting != 1 else ''} in the consolidated comments log still need an answer."
    return None


def _all_bodies_approved(version: ArtefactVersion, data: TransitionInput) -> str | None:
    missing = missing_approvals(version)
    if missing:
        return f"Still needs approval from {', '.join(missing)}."
    return None


def _reported_to_qwg(version: ArtefactVersion, data: TransitionInput) -> str | None:
    waiting = sorted(c.reference for c in version.consultations.all() if not hasattr(c, "qwg_report"))
    if waiting:
        return (
            f"The outcome of consultation {', '.join(waiting)} has not been reported to QWG; "
            "governance follows the QWG report."
        )
    return None


def _needs_no_governance(version: ArtefactVersion, data: TransitionInput) -> str | None:
    if version.artefact.required_bodies:
        return "This document needs governance approval; it is baselined when its governance bodies approve it."
    return None


def _no_later_baseline(version: ArtefactVersion, data: TransitionInput) -> str | None:
    later = ArtefactVersion.objects.filter(
        artefact_id=version.artefact_id, sequence__gt=version.sequence, status__in=[V.BASELINED, V.SUPERSEDED]
    )
    if later.exists():
        return "A later version of this artefact has already been baselined."
    return None


def _t(name: str, label: str, sources: Any, target: str, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


VERSION_TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "open_consultation",
        "Open for consultation",
        {V.DRAFT},
        V.IN_CONSULTATION,
        who.programme,
        description="Taken by opening a consultation that includes the version.",
    ),
    _t(
        "approve",
        "Approve for governance",
        {V.DRAFT, V.IN_CONSULTATION},
        V.APPROVED,
        who.programme,
        guards=(_consultations_closed, _comments_answered, _reported_to_qwg),
        description=(
            "Taken when the consultation's outcome is reported to QWG (its comments log is then published); "
            "by hand only for a version that was never consulted on."
        ),
    ),
    _t(
        "baseline",
        "Baseline",
        {V.APPROVED},
        V.BASELINED,
        who.governance,
        guards=(_all_bodies_approved, _no_later_baseline),
        description="Taken automatically when the last required governance body approves.",
    ),
    _t(
        "publish",
        "Publish",
        {V.DRAFT},
        V.BASELINED,
        who.publisher,
        guards=(_needs_no_governance, _no_later_baseline),
        description="A consolidated comments log is published as soon as it is generated; it needs no governance.",
    ),
    _t(
        "supersede",
        "Supersede",
        {V.BASELINED},
        V.SUPERSEDED,
        who.publisher,
        description="Taken automatically when a later version of the artefact is baselined.",
    ),
)


@dataclass(frozen=True)
class GovernanceStep:
    """One body's place in the published order of approval: the bodies that must have approved first (those the
    artefact needs), and further preconditions that each return a reason to refuse."""

    body: str
    after: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = ()


# DOMAIN.md §9: the outcome of the consultation is reported to QWG; then QAG approves; then the REC PAB and the BSC
# PAB, in either order. A body the artefact does not need is skipped (a document only the BSC PAB approves waits for
# the QWG report alone).
GOVERNANCE_ORDER: tuple[GovernanceStep, ...] = (
    GovernanceStep(GoverningBody.QAG, guards=(_reported_to_qwg,)),
    GovernanceStep(GoverningBody.REC_PAB, after=(GoverningBody.QAG,), guards=(_reported_to_qwg,)),
    GovernanceStep(GoverningBody.BSC_PAB, after=(GoverningBody.QAG,), guards=(_reported_to_qwg,)),
)
_STEPS = {step.body: step for step in GOVERNANCE_ORDER}


def _failing(guards: tuple[Guard, ...], version: ArtefactVersion) -> list[tuple[str, str]]:
    """(code, reason) for each guard that refuses; the code is the guard's name (``reported_to_qwg``…)."""
    return [(g.__name__.strip("_"), r) for g in guards if (r := g(version, TransitionInput()))]


def approval_blockers(version: ArtefactVersion) -> list[tuple[str, str]]:
    """Why the version cannot be approved for governance yet (the ``approve`` step's guards); empty when it can."""
    return _failing(VERSION_WORKFLOW.guards_for(VERSION_WORKFLOW.get("approve")), version)


def governance_missing(version: ArtefactVersion, body: str) -> list[tuple[str, str]]:
    """What must happen before ``body`` may decide on the version, in the published order: (code, reason) pairs.

    Before the version is approved for governance, the reasons are those of the ``approve`` step (consultation
    closed, comments answered, outcome reported to QWG). Then the body's own step: its guards, and an approval from
    each body it comes after that the artefact needs.
    """
    missing: list[tuple[str, str]] = []
    if version.status in (V.DRAFT, V.IN_CONSULTATION):
        missing = approval_blockers(version) or [
            ("approved_for_governance", "The Programme has not approved it for governance.")
        ]
    step = _STEPS.get(body, GovernanceStep(body))
    missing += [m for m in _failing(step.guards, version) if m not in missing]
    latest = _latest_approvals(version)
    for before in step.after:
        if before in version.artefact.required_bodies and (
            before not in latest or latest[before].decision != GovernanceDecision.APPROVE
        ):
            name = BODY_SHORT_NAMES[before]
            missing.append((f"{before}_approval", f"{name} has not approved it: {name} decides first."))
    return missing


def earliest_decision_date(version: ArtefactVersion, body: str) -> tuple[dt.date, str] | None:
    """The first date the body's decision may carry: not before the QWG report, nor before the approvals it follows."""
    bounds: list[tuple[dt.date, str]] = [
        (c.qwg_report.reported_on, f"the QWG report of {c.reference}")
        for c in version.consultations.all()
        if hasattr(c, "qwg_report")
    ]
    latest = _latest_approvals(version)
    for before in _STEPS.get(body, GovernanceStep(body)).after:
        if before in latest and latest[before].decision == GovernanceDecision.APPROVE:
            bounds.append((latest[before].decided_on, f"{BODY_SHORT_NAMES[before]}'s approval"))
    return max(bounds) if bounds else None


class VersionWorkflow(Workflow[ArtefactVersion]):
    model = ArtefactVersion
    state_field = "status"
    transitions = VERSION_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(VersionStatus(state).label).lower() if state in VersionStatus.values else state

    def subject(self, instance: ArtefactVersion) -> str:
        return f"version {instance.version}"

    def record(self, applied: AppliedTransition[ArtefactVersion]) -> dict[str, Any]:
        VersionTransition.objects.create(
            version=applied.instance,
            name=applied.transition.name,
            from_status=applied.source,
            to_status=applied.target,
            at=applied.at,
            actor_id=applied.actor.user_id,
            actor_name=applied.actor.display_name,
            comment=applied.data.comment.strip(),
            request_id=applied.actor.request_id,
        )
        return {"artefact": applied.instance.artefact.document_number, "version": applied.instance.version}


def _window_open(comment: Comment, data: TransitionInput) -> str | None:
    status = comment.consultation.status_at(clock.now())
    if status == ConsultationStatus.UPCOMING:
        return "The consultation has not opened yet."
    if status == ConsultationStatus.CLOSED:
        return "The consultation has closed; no more comments are accepted."
    return None


COMMENT_TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "submit",
        "Submit comment",
        {CommentStatus.DRAFT},
        CommentStatus.SUBMITTED,
        who.comment_editor,
        guards=(_window_open,),
        description="Until the consultation's closing time (UK time); a submitted comment is final.",
    ),
)


class CommentWorkflow(Workflow[Comment]):
    model = Comment
    state_field = "status"
    transitions = COMMENT_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(CommentStatus(state).label).lower() if state in CommentStatus.values else state

    def check(self, actor: Actor, instance: Comment, transition: Transition, data: TransitionInput) -> None:
        if self.state_of(instance) not in transition.sources:
            raise TransitionNotAllowed(
                f"“{transition.label}” is not possible: the comment is {self.state_label(instance.status)}.",
                details={"status": instance.status, "transition": transition.name},
            )
        super().check(actor, instance, transition, data)

    def organisation_id(self, instance: Comment) -> int:
        return int(instance.organisation_id)

    def record(self, applied: AppliedTransition[Comment]) -> dict[str, Any]:
        Comment.objects.filter(pk=applied.instance.pk).update(submitted_at=applied.at)
        applied.instance.submitted_at = applied.at
        return {"consultation": applied.instance.consultation.reference, "clause": applied.instance.clause_reference}


VERSION_WORKFLOW = register("artefact_version", VersionWorkflow())
COMMENT_WORKFLOW = register("consultation_comment", CommentWorkflow())
