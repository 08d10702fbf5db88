"""The query and finding lifecycles as declarative transition tables, run by the one engine (core/workflow.py).

A query is raised (``services.query_raise``), then goes back and forth: the participant answers, the reviewer follows
up or closes; only the raising body closes it. A finding needs a work-off plan that the body agrees before it is
closed (QA&P work-off plans); the body may also close it outright when the gap is gone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from qualify.assessment import permissions as who
from qualify.assessment.choices import FindingState, QueryMessageKind, QueryState
from qualify.assessment.models import Finding, FindingUpdate, Query, QueryMessage
from qualify.core import clock
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, register

Q = QueryState
F = FindingState


def _t(name: str, label: str, sources: Any, target: str, permission: Any, **kw: Any) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, permission=permission, **kw)


QUERY_TRANSITIONS: tuple[Transition, ...] = (
    _t("answer", "Answer", {Q.OPEN}, Q.ANSWERED, who.query_answerer, comment_required=True),
    _t(
        "follow_up",
        "Ask a follow-up",
        {Q.ANSWERED},
        Q.OPEN,
        who.closes_query,
        comment_required=True,
    ),
    _t("close", "Close", {Q.OPEN, Q.ANSWERED}, Q.CLOSED, who.closes_query, comment_required=True),
)

_QUERY_MESSAGE = {"answer": QueryMessageKind.ANSWER, "follow_up": QueryMessageKind.FOLLOW_UP, "close": "CLOSED"}


class QueryWorkflow(Workflow[Query]):
    model = Query
    transitions = QUERY_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(QueryState(state).label).lower() if state in QueryState.values else state

    def organisation_id(self, instance: Query) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[Query]) -> dict[str, Any]:
        query = applied.instance
        name = applied.transition.name
        evidence = applied.data.extra.get("evidence")
        if evidence is not None and evidence.response.case_id != query.case_id:
            raise ValidationFailed("That evidence belongs to another case.", details={"evidence": "other_case"})
        today = clock.today()
        response_due: dt.date | None = None
        if name == "answer":
            query.reviewer_due = today + dt.timedelta(days=settings.QUALIFY_QUERY_REVIEW_DAYS)
        elif name == "follow_up":
            response_due = applied.data.extra.get("response_due") or today + dt.timedelta(
                days=settings.QUALIFY_QUERY_RESPONSE_DAYS
            )
            query.response_due = response_due
            query.reviewer_due = None
        else:
            query.reviewer_due = None
        query.save(update_fields=["response_due", "reviewer_due", "updated_at"])
        QueryMessage.objects.create(
            query=query,
            kind=_QUERY_MESSAGE[name],
            text=applied.data.comment.strip(),
            at=applied.at,
            author_id=applied.actor.user_id,
            author_name=applied.actor.display_name[:200],
            from_participant=name == "answer",
            evidence=evidence,
            response_due=response_due,
        )
        return {"query": query.reference, **({"evidence": str(evidence.uuid)} if evidence is not None else {})}


QUERY_WORKFLOW = register("assessment_query", QueryWorkflow())


def _plan_given(finding: Finding, data: TransitionInput) -> str | None:
    if not str(data.extra.get("work_off_plan", "")).strip():
        return "Describe the work-off plan: what will be done, by whom and by when."
    return None


FINDING_TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "propose_plan",
        "Propose work-off plan",
        {F.OPEN, F.PLAN_PROPOSED},
        F.PLAN_PROPOSED,
        who.finding_participant,
        guards=(_plan_given,),
    ),
    _t("agree_plan", "Agree work-off plan", {F.PLAN_PROPOSED}, F.PLAN_AGREED, who.finding_assessor),
    _t("reject_plan", "Send the plan back", {F.PLAN_PROPOSED}, F.OPEN, who.finding_assessor, comment_required=True),
    _t(
        "close",
        "Close finding",
        {F.OPEN, F.PLAN_PROPOSED, F.PLAN_AGREED},
        F.CLOSED,
        who.finding_assessor,
        comment_required=True,
    ),
    _t("reopen", "Reopen", {F.CLOSED}, F.OPEN, who.finding_assessor, comment_required=True),
)


class FindingWorkflow(Workflow[Finding]):
    model = Finding
    transitions = FINDING_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(FindingState(state).label).lower() if state in FindingState.values else state

    def organisation_id(self, instance: Finding) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[Finding]) -> dict[str, Any]:
        finding = applied.instance
        extra: dict[str, Any] = {"finding": finding.reference}
        if applied.transition.name == "propose_plan":
            finding.work_off_plan = str(applied.data.extra["work_off_plan"]).strip()
            owner = str(applied.data.extra.get("owner") or "").strip()
            due = applied.data.extra.get("due_date")
            if owner:
                finding.owner = owner[:200]
            if due is not None:
                finding.due_date = due
            finding.save(update_fields=["work_off_plan", "owner", "due_date", "updated_at"])
            extra["work_off_plan"] = finding.work_off_plan
        FindingUpdate.objects.create(
            finding=finding,
            name=applied.transition.name,
            from_state=applied.source,
            to_state=applied.target,
            at=applied.at,
            actor_name=applied.actor.display_name[:200],
            comment=applied.data.comment.strip(),
        )
        return extra


FINDING_WORKFLOW = register("assessment_finding", FindingWorkflow())
