"""The assessment steps of a generated case: reviewer assignment, queries, findings, recommendations, the boards'
agenda and decisions, and service activation, each as its service writes it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.conf import settings

from market.common import (
    CHECKLIST,
    FINDING_ACTION,
    QUERY_ACTION,
    UK,
    Meeting,
    R,
    S,
    uk_at,
)
from qualify.assessment import choices as ch
from qualify.assessment.models import (
    ActivationStep,
    AgendaItem,
    BoardDecision,
    BodyRecommendation,
    Finding,
    FindingUpdate,
    Query,
    QueryMessage,
    QuestionOutcome,
    ReviewCompletion,
)
from qualify.assessment.rules import quote
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor, system_actor
from qualify.demo.data import FINDINGS, ROUND_QUERIES
from qualify.participants.choices import MarketRole, Route
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import (
    QadQuestion,
)


class AssessmentSteps:
    """Mixed into ``CaseHistory``: each method mirrors one assessment service."""

    # --- queries ----------------------------------------------------------------------------------------------

    def _question(self, body: str, preferred: str) -> QadQuestion:
        """The demo's ``_question``: the preferred question if it was submitted, else the body's first one."""
        owned = [qid for qid, owner in self.submissions[-1].questions if owner == body]
        qid = preferred if preferred in owned else owned[0]
        return next(q for q in self.questions if q.qid == qid)

    def _query_like(self, query: dict[str, Any]) -> SimpleNamespace:
        participation = SimpleNamespace(
            organisation=SimpleNamespace(name=self.org.name),
            mpid=self.p.mpid,
            get_role_display=lambda: MarketRole(self.p.role).label,
        )
        return SimpleNamespace(
            case=SimpleNamespace(participation=participation),
            submission=SimpleNamespace(qad_version=self.m.version.version, reference=query["submission"].reference),
            section_number=query["section_number"],
            question_number=query["question_number"],
        )

    def _query_raise(self, body: str, preferred: str, text: str, *, at: dt.datetime, due: dt.date) -> dict[str, Any]:
        """``assessment.services.query_raise``: the query, its first message, the question's outcome, the audit
        event, clarification opened on the case when its QAD was "submitted", and the participant told."""
        submission = self.submissions[-1]
        question = self._question(body, preferred)
        actor = self._req(self._reviewer(question.owner))
        pk = self.m.tables[Query].new_id()
        query: dict[str, Any] = {
            "id": pk,
            "uuid": self.m.uuid(),
            "reference": f"QRY-{pk:06d}",
            "submission": submission,
            "question_id": question.qid,
            "section_number": question.section.number,
            "question_number": question.number,
            "body": question.owner,
            "state": ch.QueryState.OPEN,
            "state_changed_at": at,
            "response_due": due,
            "reviewer_due": None,
            "raised_by": actor,
            "created_at": at,
            "updated_at": at,
        }
        self.queries.append(query)
        self.m.tables[QueryMessage].add(
            query_id=pk,
            kind=ch.QueryMessageKind.RAISED,
            text=text.strip(),
            at=at,
            author_id=actor.user_id,
            author_name=actor.display_name[:200],
            from_participant=False,
            evidence_id=None,
            response_due=due,
        )
        if (submission.id, question.qid) not in self.outcomes:  # update_or_create: one outcome per question
            self.outcomes.add((submission.id, question.qid))
            self.m.tables[QuestionOutcome].add(
                created_at=at,
                updated_at=at,
                submission_id=submission.id,
                question_id=question.qid,
                body=question.owner,
                outcome=ch.Outcome.QUERY,
                comment="",
                recorded_by_id=actor.user_id,
                recorded_by_name=actor.display_name[:200],
            )
        self.m.audit.record(
            at=at,
            actor=actor,
            action="assessment.query.raise",
            target=Query,
            object_id=query["uuid"],
            object_repr=f"{query['reference']} on {question.number}",
            organisation_id=self.org.id,
            changes={"query": query["reference"], "question": question.number, "response_due": due.isoformat()},
        )
        step = {S.INITIAL_QAD_SUBMITTED: "query_initial_qad", S.FINAL_QAD_SUBMITTED: "query_final_qad"}.get(
            self.case["state"]
        )
        if step is not None:
            self._transition(
                step, actor, f"{query['reference']} on {question.number}: {text}", at=at + dt.timedelta(microseconds=40)
            )
        self.m.notify(
            at=at + dt.timedelta(microseconds=80),
            recipients=self.org.editor_ids,
            kind=ch.NOTICE_QUERY_RAISED,
            title=f"{query['reference']}: {ch.APPROVER_NAMES[query['body']]} query on QAD {question.number}",
            body=f"{quote(self._query_like(query))}\n\n{text.strip()}\n\nPlease answer by {due:%d %B %Y}.",  # type: ignore[arg-type]
            link=f"/assessment/queries/{query['uuid']}/",
        )
        return query

    def _query_move(self, query: dict[str, Any], name: str, actor: Actor, text: str, *, at: dt.datetime) -> None:
        """The query workflow (``query_answer``, ``query_close``): state, due dates, the message, the audit event."""
        target = {"answer": ch.QueryState.ANSWERED, "close": ch.QueryState.CLOSED}[name]
        source = query["state"]
        actor = self._req(actor)
        day = at.astimezone(UK).date()
        if name == "answer":
            query["reviewer_due"] = day + dt.timedelta(days=settings.QUALIFY_QUERY_REVIEW_DAYS)
        else:
            query["reviewer_due"] = None
        query.update(state=target, state_changed_at=at, updated_at=at)
        self.m.tables[QueryMessage].add(
            query_id=query["id"],
            kind={"answer": ch.QueryMessageKind.ANSWER, "close": "CLOSED"}[name],
            text=text.strip(),
            at=at,
            author_id=actor.user_id,
            author_name=actor.display_name[:200],
            from_participant=name == "answer",
            evidence_id=None,
            response_due=None,
        )
        self.m.audit.record(
            at=at + dt.timedelta(microseconds=30),
            actor=actor,
            action=f"{QUERY_ACTION}.{name}",
            target=Query,
            object_id=query["uuid"],
            object_repr=f"{query['reference']} on {query['question_number']}",
            organisation_id=self.org.id,
            changes={"state": {"before": source, "after": target}, "comment": text, "query": query["reference"]},
        )
        if name == "answer":
            raised_by = query["raised_by"]
            recipients = {int(raised_by.user_id)}
            reviewer = self.reviewers.get(query["body"])
            if reviewer is not None and reviewer.user_id is not None:
                recipients.add(int(reviewer.user_id))
            self.m.notify(
                at=at + dt.timedelta(microseconds=60),
                recipients=recipients,
                kind=ch.NOTICE_QUERY_ANSWERED,
                title=f"{query['reference']} answered by {self.org.name}",
                body=f"{quote(self._query_like(query))}\n\n{text.strip()}",  # type: ignore[arg-type]
                link=f"/assessment/queries/{query['uuid']}/",
            )

    def _queries(self, name: str, *, last: bool) -> None:
        """The demo's ``_queries``: a round's query (a case left in clarification keeps one or two open)."""
        round_ = "INITIAL" if name == "query_initial_qad" else "FINAL"
        theme = ROUND_QUERIES[round_][self.p.role]
        days = settings.QUALIFY_QUERY_RESPONSE_DAYS
        at = self.clock
        self._query_raise(
            theme.body, theme.question_id, theme.text, at=at, due=at.astimezone(UK).date() + dt.timedelta(days=days)
        )
        if last:
            other = ROUND_QUERIES["FINAL" if round_ == "INITIAL" else "INITIAL"][self.p.role]
            second = self._query_raise(
                other.body,
                other.question_id,
                other.text,
                at=self._later(45),
                due=self.clock.astimezone(UK).date() + dt.timedelta(days=days),
            )
            if self.rng.random() < 0.5:
                self._query_move(second, "answer", self.lead.actor, other.answer, at=self._later(60 * 20))

    def _clarify(self, name: str, at: dt.datetime) -> None:
        """The demo's ``_clarify``: each query answered and closed, the queried answer revised, the QAD resubmitted
        at ``at``."""
        round_ = "INITIAL" if name == "answer_initial_clarification" else "FINAL"
        theme = ROUND_QUERIES[round_][self.p.role]
        gap = max((at - self.clock) / 8, dt.timedelta(seconds=1)).total_seconds() / 60
        for query in [q for q in self.queries if q["state"] != ch.QueryState.CLOSED]:
            if query["state"] == ch.QueryState.OPEN:
                self._query_move(query, "answer", self.lead.actor, theme.answer, at=self._later(gap))
            self._query_move(query, "close", self._reviewer(query["body"]), theme.close, at=self._later(gap))
            question = next(q for q in self.questions if q.qid == query["question_id"])
            self._answer_save(question, self._raw_answer(question, revised=True), self.lead.actor, self._later(gap / 4))
        kind = SubmissionKind.INITIAL if round_ == "INITIAL" else SubmissionKind.FINAL
        self._submit_qad(kind, max(at, self._later(gap / 4)), first=False)

    # --- findings, recommendations ----------------------------------------------------------------------------

    def _finding_record(self, theme: Any, number: int) -> dict[str, Any]:
        """``assessment.services.finding_record``."""
        actor = self._req(self._reviewer(theme.body))
        at = self._later(60 * 24)
        pk = self.m.tables[Finding].new_id()
        due = at.astimezone(UK).date() + dt.timedelta(days=45 + 14 * number)
        finding = {
            "id": pk,
            "uuid": self.m.uuid(),
            "reference": f"FND-{pk:06d}",
            "case_id": self.case["id"],
            "body": theme.body,
            "question_id": self._question(theme.body, theme.question_id).qid,
            "title": theme.title[:200],
            "description": theme.description,
            "severity": theme.severity,
            "owner": f"{self.lead.full_name} (qualification lead)"[:200],
            "due_date": due,
            "work_off_plan": "",
            "condition_of_approval": self.p.conditional_finding and theme.body == "BSC",
            "state": ch.FindingState.OPEN,
            "state_changed_at": at,
            "raised_by_name": actor.display_name[:200],
            "internal_note": "",
            "created_at": at,
            "updated_at": at,
            "theme": theme,
        }
        self.findings.append(finding)
        self.m.audit.record(
            at=at,
            actor=actor,
            action="assessment.finding.record",
            target=Finding,
            object_id=finding["uuid"],
            object_repr=f"{finding['reference']} {finding['title']}",
            organisation_id=self.org.id,
            changes={"finding": finding["reference"], "title": finding["title"], "due_date": due.isoformat()},
        )
        return finding

    def _finding_move(self, finding: dict[str, Any], name: str, actor: Actor, comment: str = "") -> None:
        """The finding workflow (``finding_transition``): propose, agree or close, with its update row."""
        target = {
            "propose_plan": ch.FindingState.PLAN_PROPOSED,
            "agree_plan": ch.FindingState.PLAN_AGREED,
            "close": ch.FindingState.CLOSED,
        }[name]
        source = finding["state"]
        actor = self._req(actor)
        at = self._later(60 * 20)
        extra: dict[str, Any] = {"finding": finding["reference"]}
        if name == "propose_plan":
            finding["work_off_plan"] = finding["theme"].work_off_plan.strip()
            extra["work_off_plan"] = finding["work_off_plan"]
        finding.update(state=target, state_changed_at=at, updated_at=at)
        self.m.tables[FindingUpdate].add(
            finding_id=finding["id"],
            name=name,
            from_state=source,
            to_state=target,
            at=at,
            actor_name=actor.display_name[:200],
            comment=comment.strip(),
        )
        self.m.audit.record(
            at=at + dt.timedelta(microseconds=30),
            actor=actor,
            action=f"{FINDING_ACTION}.{name}",
            target=Finding,
            object_id=finding["uuid"],
            object_repr=f"{finding['reference']} {finding['title']}",
            organisation_id=self.org.id,
            changes={
                "state": {"before": source, "after": target},
                **({"comment": comment} if comment else {}),
                **extra,
            },
        )

    def _findings(self, *, last: bool) -> None:
        """The demo's ``_findings``: a finding or two on the Final QAD (none for the SIT route)."""
        themes = [t for t in FINDINGS if t.body in ch.approvals_needed(self.p.role)]
        if self.p.route == Route.SIT or not themes:
            return
        chosen = themes[: 2 if self.p.conditional_finding or self.p.role == R.LDSO else 1]
        for number, theme in enumerate(chosen):
            finding = self._finding_record(theme, number)
            if last and number == 0 and self.p.state == S.FINAL_QAD_SUBMITTED and self.p.role != R.SUPPLIER:
                self._finding_move(finding, "propose_plan", self.lead.actor)

    def _agree_plans(self) -> None:
        """The demo's ``_agree_plans``: every finding's work-off plan proposed and agreed before the QAD is agreed."""
        for finding in self.findings:
            if finding["state"] == ch.FindingState.OPEN:
                self._finding_move(finding, "propose_plan", self.lead.actor)
            if finding["state"] == ch.FindingState.PLAN_PROPOSED:
                self._finding_move(
                    finding, "agree_plan", self._reviewer(finding["body"]), "Plan and date are realistic; agreed."
                )
        # ``review_complete``: each body owning questions in the Final QAD says its own review is complete.
        final = next(s for s in reversed(self.submissions) if s.kind == SubmissionKind.FINAL)
        for body in self._owning_bodies(final):
            actor = self._req(self._reviewer(body))
            at = self._later(60)
            self.m.tables[ReviewCompletion].add(
                submission_id=final.id,
                body=body,
                completed_at=at,
                recorded_by_id=actor.user_id,
                recorded_by_name=actor.display_name[:200],
                note="",
            )
            self.m.audit.record(
                at=at,
                actor=actor,
                action="assessment.review.complete",
                target=QualificationCase,
                object_id=self.case["uuid"],
                object_repr=self._case_repr(),
                organisation_id=self.org.id,
                changes={"body": body, "submission": final.reference},
            )

    def _open_conditions(self, body: str) -> list[dict[str, Any]]:
        return [
            f
            for f in self.findings
            if f["body"] == body and f["condition_of_approval"] and f["state"] != ch.FindingState.CLOSED
        ]

    def _recommend(self, only: tuple[str, ...] | None = None) -> None:
        """The demo's ``_recommend`` through ``recommendation_record``, on the latest Final QAD."""
        final = next(s for s in reversed(self.submissions) if s.kind == SubmissionKind.FINAL)
        for body in ch.approvals_needed(self.p.role) if only is None else only:
            if any(r["body"] == body and r["submission_id"] == final.id for r in self.recommendations):
                continue
            conditional = self._open_conditions(body)
            recommendation = ch.Recommendation.APPROVE_WITH_CONDITIONS if conditional else ch.Recommendation.APPROVE
            conditions = "; ".join(f"{f['reference']} {f['title']} (due {f['due_date']:%d %b %Y})" for f in conditional)
            actor = self._req(self._reviewer(body))
            at = self._later(60 * 6)
            self.m.tables[BodyRecommendation].add(
                case_id=self.case["id"],
                submission_id=final.id,
                body=body,
                recommendation=recommendation,
                rationale=f"The {ch.APPROVER_NAMES[body]} sections of the Final QAD are satisfactory"
                + (" subject to the agreed work-off plan." if conditional else "."),
                conditions=conditions,
                recorded_at=at,
                recorded_by_id=actor.user_id,
                recorded_by_name=actor.display_name[:200],
            )
            self.recommendations.append({"body": body, "submission_id": final.id})
            self.m.audit.record(
                at=at,
                actor=actor,
                action="assessment.recommendation.record",
                target=QualificationCase,
                object_id=self.case["uuid"],
                object_repr=self._case_repr(),
                organisation_id=self.org.id,
                changes={"body": body, "recommendation": recommendation, "submission": final.reference},
            )

    # --- the boards -------------------------------------------------------------------------------------------

    def _meeting_from(self, body: str, day: dt.date) -> Meeting:
        return next(m for m in self.m.meetings[body] if m.meets_on >= day)

    def _table(self, *, decide_now: bool) -> None:
        """``agenda_add`` at each approving authority's first meeting with the papers in time; for a case left
        awaiting approval, the authorities that have met since decide (``decision_record``), one at least has not."""
        papers = self.clock.astimezone(UK).date() + dt.timedelta(days=7)
        admin = self._req(self.rng.choice(self.m.cast.admins))
        needed = ch.approvals_needed(self.p.role)
        for body in needed:
            meeting = self._meeting_from(body, papers)
            if decide_now and body == needed[-1] and meeting.meets_on < self.m.today:
                meeting = self._meeting_from(body, self.m.today)  # still to decide: on its next meeting
            at = self._later(30)
            item = self.m.tables[AgendaItem].add(
                created_at=at,
                updated_at=at,
                meeting_id=meeting.id,
                case_id=self.case["id"],
                added_by_name=admin.display_name[:200],
            )
            self.agenda[body] = (item, meeting)
            self.m.audit.record(
                at=at,
                actor=admin,
                action="assessment.agenda.add",
                target=QualificationCase,
                object_id=self.case["uuid"],
                object_repr=self._case_repr(),
                organisation_id=self.org.id,
                changes={"meeting": meeting.reference},
            )
        if decide_now:
            effective = self._meeting_from("BSC", self.m.today + dt.timedelta(days=1)).meets_on + dt.timedelta(days=7)
            for body in needed:
                _, meeting = self.agenda[body]
                if meeting.meets_on < self.m.today:
                    self._decision(body, effective, qualifies=False)

    def _decide(self) -> None:
        """The demo's ``_decide``: each authority decides at its meeting; the last approval qualifies the case."""
        needed = ch.approvals_needed(self.p.role)
        latest = max(self.agenda[b][1].meets_on for b in needed)
        if latest >= self.m.today:
            raise AssertionError(f"{self.case['reference']}: a board meeting on it is still to come ({latest})")
        self.qualified_on = min(latest + dt.timedelta(days=7), self.m.today - dt.timedelta(days=1))
        for body in sorted(needed, key=lambda b: self.agenda[b][1].meets_on):
            self._decision(body, self.qualified_on, qualifies=True)

    def _decision(self, body: str, effective_from: dt.date, *, qualifies: bool) -> None:
        """``assessment.services.decision_record`` (approval) at the body's meeting, and the notices."""
        item, meeting = self.agenda[body]
        actor = self._req(self.rng.choice(self.m.cast.board[body]))  # the body's own decision-makers
        at = max(self._later(5), uk_at(meeting.meets_on, 15, self.rng.randint(0, 59)))
        self.clock = at
        conditions = "; ".join(
            f"{f['reference']} closed by {f['due_date']:%d %b %Y}" for f in self._open_conditions(body)
        )
        outcome = ch.DecisionOutcome.APPROVE_WITH_CONDITIONS if conditions else ch.DecisionOutcome.APPROVE
        who = ch.APPROVER_NAMES[body]
        minutes = (
            f"The {who} considered the {body} recommendation and approved qualification from {effective_from:%d %B %Y}."
            if qualifies
            else f"The {who} considered the recommendation and approved."
        )
        pk = self.m.tables[BoardDecision].new_id()
        decision = {"id": pk, "uuid": self.m.uuid(), "reference": f"DEC-{pk:06d}", "effective_from": effective_from}
        self.m.tables[BoardDecision].add(
            id=pk,
            uuid=decision["uuid"],
            created_at=at,
            updated_at=at,
            reference=decision["reference"],
            agenda_item_id=item,
            decided_on=meeting.meets_on,
            case_id=self.case["id"],
            body=body,
            round_id=self.round_id,
            outcome=outcome,
            minutes=minutes,
            conditions=conditions,
            effective_from=effective_from,
            decided_at=at,
            recorded_by_id=actor.user_id,
            recorded_by_name=actor.display_name[:200],
        )
        self.decisions[body] = decision
        self.m.audit.record(
            at=at,
            actor=actor,
            action="assessment.decision.record",
            target=BoardDecision,
            object_id=decision["uuid"],
            object_repr=f"{decision['reference']} {self.case['reference']} {body}: {outcome}",
            organisation_id=self.org.id,
            changes={
                "decision": decision["reference"],
                "case": self.case["reference"],
                "body": body,
                "outcome": outcome,
                "meeting": meeting.reference,
                "effective_from": effective_from.isoformat(),
            },
        )
        needed = ch.approvals_needed(self.p.role)
        if all(b in self.decisions for b in needed):
            effective = max(d["effective_from"] for d in self.decisions.values())
            summary = "; ".join(f"{ch.APPROVER_NAMES[b]} {self.decisions[b]['reference']}" for b in needed)
            self._transition(
                "approve",
                actor,
                f"Approved: {summary}.",
                at=at + dt.timedelta(microseconds=40),
                effective_date=effective,
            )
        label = ch.DecisionOutcome(outcome).label
        self.m.notify(
            at=at + dt.timedelta(microseconds=80),
            recipients=[*self.org.editor_ids, *self.m.assessor_ids(body)],
            kind=ch.NOTICE_DECISION_MADE,
            title=f"{self.case['reference']}: {who} decision — {label}",
            body=(
                f"{self.org.name} {self.p.mpid} {MarketRole(self.p.role).label}: the {who} decided “{label}” at its "
                f"meeting on {meeting.meets_on:%d %B %Y}."
                + f"\nEffective from {effective_from:%d %B %Y}."
                + (f"\nConditions: {conditions}" if conditions else "")
            ),
            link=self._case_link(),
        )

    # --- service activation -----------------------------------------------------------------------------------

    def _activation(self, name: str) -> None:
        """The demo's ``_activation`` through ``activation_record``: DIP production starts service activation; the
        agreed date and the publication complete the checklist, which activates the service."""
        items = (
            [ch.ActivationItem.DIP_PRODUCTION]
            if name == "start_service_activation"
            else [ch.ActivationItem.EFFECTIVE_DATE_AGREED, ch.ActivationItem.REFERENCE_DATA_PUBLISHED]
        )
        if name == "start_service_activation" and self.p.state == S.SERVICE_ACTIVATION:
            items.append(ch.ActivationItem.EFFECTIVE_DATE_AGREED)
        if name == "activate":
            for finding in self.findings:
                if finding["state"] != ch.FindingState.CLOSED:
                    self._finding_move(
                        finding,
                        "close",
                        self._reviewer(finding["body"]),
                        "Work-off plan delivered and evidenced before service activation.",
                    )
        for item in items:
            self._activation_record(item)

    def _activation_record(self, item: str) -> None:
        assert self.qualified_on is not None
        actor = self._req(
            self._reviewer("DIP") if item == ch.ActivationItem.DIP_PRODUCTION else self.rng.choice(self.m.cast.admins)
        )
        at = self._later(60 * 24 * self.rng.randint(1, 4))
        reference = {
            ch.ActivationItem.DIP_PRODUCTION: f"DIP change {self.p.mpid}-PRD-01",
            ch.ActivationItem.EFFECTIVE_DATE_AGREED: f"Agreement e-mail with {self.org.name}",
            ch.ActivationItem.REFERENCE_DATA_PUBLISHED: f"Market reference data release for {self.p.mpid}",
        }[item]
        effective = None
        if item == ch.ActivationItem.EFFECTIVE_DATE_AGREED:
            effective = max(
                self.qualified_on, min(self.qualified_on + dt.timedelta(days=21), self.m.today - dt.timedelta(days=2))
            )
        self.activation[item] = {"effective_date": effective, "reference": reference}
        self.m.tables[ActivationStep].add(
            created_at=at,
            updated_at=at,
            case_id=self.case["id"],
            item=item,
            evidence_reference=reference[:300],
            evidence_note="",
            evidence_name="",
            evidence_storage_name="",
            evidence_sha256="",
            evidence_size=None,
            effective_date=effective,
            recorded_by_id=actor.user_id,
            recorded_by_name=actor.display_name[:200],
        )
        self.m.audit.record(
            at=at,
            actor=actor,
            action="assessment.activation.record",
            target=QualificationCase,
            object_id=self.case["uuid"],
            object_repr=self._case_repr(),
            organisation_id=self.org.id,
            changes={
                "item": item,
                "evidence_reference": reference,
                **({"effective_date": effective.isoformat()} if effective else {}),
            },
        )
        label = ch.ActivationItem(item).label
        if self.case["state"] == S.QUALIFIED:
            mover = system_actor(CHECKLIST)
            self._transition(
                "start_service_activation",
                mover,
                f"{label}: {actor.display_name}",
                at=at + dt.timedelta(microseconds=40),
            )
        if all(i in self.activation for i in ch.ActivationItem.values):
            mover = system_actor(CHECKLIST)
            agreed = self.activation[ch.ActivationItem.EFFECTIVE_DATE_AGREED]["effective_date"]
            self._transition(
                "activate",
                mover,
                "Service activation checklist complete: "
                + "; ".join(
                    f"{ch.ActivationItem(i).label} ({self.activation[i]['reference']})" for i in ch.ActivationItem
                ),
                at=at + dt.timedelta(microseconds=80),
                effective_date=agreed,
            )
