"""The QAD steps of a generated case: ``response_open``, ``answer_save``, ``evidence_upload``, ``submission_create``
(the snapshot and its hash as the service makes them) and ``declaration_record``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile

from market.common import (
    RESPONSE_TYPE,
    UK,
    small_pdf,
)
from qualify.assessment import choices as ch
from qualify.assessment.models import (
    ReviewAssignment,
)
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.roles import MembershipRole
from qualify.qad import evidence as ev
from qualify.qad import rules as qad_rules
from qualify.qad.choices import AnswerType, DeclarationCapacity, SubmissionKind
from qualify.qad.models import (
    EvidenceFile,
    QadDeclaration,
    QadQuestion,
    QadResponse,
    QadSubmission,
    SubmissionBody,
)
from qualify.qad.selectors import QadView, SectionView
from qualify.qad.services import SUBMISSION_STEPS, snapshot_content

TEXT_ANSWERS = (
    "Yes: {org} runs this under a documented procedure owned by the qualification lead and reviewed quarterly.",
    "{org} meets this through its documented procedure, owned by the qualification lead and reviewed quarterly; "
    "see the linked evidence for question {number}.",
    "Covered by our operating model: the service owner signs off each release, exceptions go to the change board, "
    "and the control is tested monthly by internal audit. Evidence for {number} is attached.",
    "In place since our PIT exit. The runbook names the on-call team, the escalation path and the timescales; "
    "monitoring alerts the service desk around the clock.",
    "Delivered by our service provider under contract schedule 4; {org} keeps oversight through monthly service "
    "reviews and quarterly audits of the provider's controls.",
)


class QadSteps:
    """Mixed into ``CaseHistory``: each method mirrors one QAD service."""

    # --- the QAD ------------------------------------------------------------------------------------------------

    def _response_open(self, at: dt.datetime) -> None:
        """``qad.services.response_open`` on the latest published version."""
        actor = self._req(self.lead.actor)
        pk = self.m.tables[QadResponse].new_id()
        public_id = self.m.uuid()
        self.response = {"id": pk, "uuid": public_id, "revision": 0, "created_at": at, "updated_at": at}
        self._response_audit = (RESPONSE_TYPE, str(public_id), f"QAD of {self.case['reference']}"[:200], self.org.id)
        self.m.audit.record(
            at=at,
            actor=actor,
            action="qad.response.open",
            target=QadResponse,
            object_id=self.response["uuid"],
            object_repr=f"QAD of {self.case['reference']}",
            organisation_id=self.org.id,
            changes={"case": self.case["reference"], "version": self.m.version.version},
        )

    def _bump(self, at: dt.datetime) -> None:
        assert self.response is not None
        self.response["revision"] += 1
        self.response["updated_at"] = at

    def _answer_save(self, question: QadQuestion, raw: Any, actor: Actor, at: dt.datetime) -> None:
        """``qad.services.answer_save``: the cleaned value, the answer's version, the response's revision, audited."""
        assert self.response is not None
        cleaned = qad_rules.clean_answer(question, raw)
        answer = self.answers.get(question.qid)
        if answer is not None and answer["value"] == cleaned:
            return
        before = answer["value"] if answer is not None else None
        if answer is None:
            answer = self.answers[question.qid] = {"id": None, "created_at": at, "version": 0}
        name = actor.display_name[:200]
        answer.update(value=cleaned, version=answer["version"] + 1, updated_by_name=name, updated_at=at)
        self._bump(at)
        # The cleaned values are JSON's own types already (clean_answer's stored forms), so the plain record.
        object_type, object_id, object_repr, organisation_id = self._response_audit
        self.m.audit.record_plain(
            at,
            actor.user_id,
            name,
            self.m.request_id(),
            "qad.answer.save",
            object_type,
            object_id,
            object_repr,
            organisation_id,
            {"question": question.qid, "value": {"before": before, "after": cleaned}, "version": answer["version"]},
        )

    def _raw_answer(self, question: QadQuestion, *, revised: bool = False) -> Any:
        kind = question.answer_type
        if kind == AnswerType.TEXT:
            text = self.rng.choice(TEXT_ANSWERS).format(org=self.org.name, number=question.number)
            return f"Updated after Qualification Testing. {text}" if revised else text
        if kind == AnswerType.YES_NO:
            return "yes" if self.rng.random() < 0.92 else "no"
        if kind == AnswerType.SINGLE_CHOICE:
            return self.rng.choice(question.choices)
        if kind == AnswerType.MULTIPLE_CHOICE:
            return self.rng.sample(question.choices, k=min(len(question.choices), self.rng.randint(1, 3)))
        if kind == AnswerType.DATE:
            return (self.m.today + dt.timedelta(days=self.rng.randint(-200, 200))).isoformat()
        if kind == AnswerType.NUMBER:
            return str(self.rng.randint(2, 400))
        return [
            {c["id"]: f"{c['title']} {row}" for c in question.columns} for row in range(1, self.rng.randint(1, 3) + 1)
        ]

    def _fill(self, until: dt.datetime, *, share: float = 1.0) -> None:
        """The participant's people answer the QAD over the weeks before ``until`` (autosaved, one save each)."""
        pending = [q for q in self.questions if q.qid not in self.answers]
        if share < 1.0:
            pending = pending[: int(len(pending) * share)]
        if not pending:
            return
        start = self.clock
        limit = self.m.now - dt.timedelta(minutes=1)
        span = (min(until, limit) - start).total_seconds()
        if span <= 1:  # no time left before the step (or now): the answers come in a quick burst
            span = max(min(60.0, (limit - start).total_seconds() / 2), 0.01)
        editors = [p for p in self.org.people if p.role != MembershipRole.VIEWER]
        offsets = sorted(self.rng.random() * span for _ in pending)
        for question, offset in zip(pending, offsets, strict=True):
            at = start + dt.timedelta(seconds=offset)
            self._answer_save(question, self._raw_answer(question), self.rng.choice(editors).actor, at)
        self.clock = max(self.clock, start + dt.timedelta(seconds=span))

    def _evidence_upload(self, title: str, question_ids: list[str], at: dt.datetime) -> None:
        """``qad.services.evidence_upload``: stored under a generated name, hashed, linked to questions."""
        assert self.response is not None
        actor = self._req(self.lead.actor)
        data = small_pdf(f"{self.org.name}: {title}")
        public_id = self.m.uuid()
        stored = self.m.storage.save(
            f"evidence/{self.response['uuid']}/{public_id.hex}.pdf", ContentFile(data, name=f"{public_id.hex}.pdf")
        )
        name = f"{title.lower().replace(' ', '-')}.pdf"
        as_of = (at - dt.timedelta(days=2)).astimezone(UK).date()
        evidence = SimpleNamespace(
            id=self.m.tables[EvidenceFile].new_id(),
            uuid=public_id,
            original_name=name,
            storage_name=stored,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_kind=ev.sniff(io.BytesIO(data)),
            evidence_as_of=as_of,
            created_at=at,
            uploaded_by_id=actor.user_id,
            uploaded_by_name=actor.display_name[:200],
        )
        self.evidence.append(evidence)
        for qid in question_ids:
            self.links.setdefault(qid, []).append(SimpleNamespace(evidence=evidence, at=at))
        if question_ids:
            self._bump(at)
        self.m.audit.record(
            at=at,
            actor=actor,
            action="qad.evidence.upload",
            target=EvidenceFile,
            object_id=public_id,
            object_repr=name,
            organisation_id=self.org.id,
            changes={
                "name": name,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "evidence_as_of": as_of.isoformat(),
                "questions": question_ids,
            },
        )

    def _view(self) -> QadView:
        """The QAD as ``qad.selectors.qad_view`` reads it: applicable questions by section, answers and links."""
        assert self.response is not None
        sections: dict[int, SectionView] = {}
        for question in self.questions:
            view = sections.setdefault(question.section_id, SectionView(question.section))
            view.questions.append(question)
        answers = {qid: SimpleNamespace(value=a["value"]) for qid, a in self.answers.items()}
        return QadView(
            response=self._response_like(),  # type: ignore[arg-type]
            sections=list(sections.values()),
            answers=answers,  # type: ignore[arg-type]
            links=self.links,  # type: ignore[arg-type]
            evidence=[],
            exemptions=list(self.exemptions),
        )

    def _response_like(self) -> SimpleNamespace:
        assert self.response is not None
        organisation = SimpleNamespace(name=self.org.name)
        participation = SimpleNamespace(
            organisation=organisation, mpid=self.p.mpid, role=self.p.role, route=self.p.route
        )
        case = SimpleNamespace(reference=self.case["reference"], participation=participation)
        return SimpleNamespace(case=case, version=self.m.version, revision=self.response["revision"])

    def _submit_qad(self, kind: str, at: dt.datetime, *, first: bool) -> None:
        """The demo's ``submit_qad``: complete the QAD (answers, evidence) and ``qad.services.submission_create``."""
        if self.response is None:
            self._response_open(self.clock + dt.timedelta(hours=2))
        self._fill(at - dt.timedelta(hours=3))
        if kind == SubmissionKind.FINAL and first:
            # After testing: a few answers revised, and the Test Completion Report attached where it is asked for.
            for question in self.rng.sample(self.questions, k=max(1, len(self.questions) // 20)):
                self._answer_save(question, self._raw_answer(question, revised=True), self.lead.actor, self._later(3))
            report = [
                q.qid
                for q in self.questions
                if q.evidence_required and {"TEST_COMPLETION_REPORT", "RTTM"} & set(q.evidence_kinds)
            ]
            if report:
                self._evidence_upload("Test Completion Report", report, self._later(20))
        needing = [q.qid for q in self.questions if q.evidence_required and not self.links.get(q.qid)]
        if needing:
            self._evidence_upload("PIT exit evidence and RTTM", needing, self._later(20))
        actor = self.lead.actor
        if kind == SubmissionKind.INITIAL and self.rng.random() < 0.3:
            actor = next((p.actor for p in self.org.people if p.role == MembershipRole.CONTRIBUTOR), actor)
        self._submission_create(kind, self._req(actor), at=max(at, self._later(30)))

    def _submission_create(self, kind: str, actor: Actor, *, at: dt.datetime) -> None:
        """``qad.services.submission_create``: complete, frozen, hashed; the case takes its step at once."""
        view = self._view()
        missing = view.missing()
        if missing:
            raise AssertionError(f"{self.case['reference']}: incomplete QAD {missing[:3]}")
        step = SUBMISSION_STEPS[kind].get(self.case["state"])
        if step is None:
            raise AssertionError(f"{self.case['reference']}: no {kind} submission from {self.case['state']}")
        content = qad_rules.canonical_json(snapshot_content(response=self._response_like(), kind=kind, view=view))  # type: ignore[arg-type]
        submission = self.write_submission(kind=kind, content=content, actor=actor, at=at)
        self.m.audit.record(
            at=at,
            actor=actor,
            action="qad.submission.create",
            target=QadSubmission,
            object_id=submission.uuid,
            object_repr=f"{submission.reference} {SubmissionKind(kind).label} of {self.case['reference']}",
            organisation_id=self.org.id,
            changes={"kind": kind, "sha256": submission.sha256, "revision": submission.response_revision},
        )
        self._transition(
            step, actor, f"{submission.reference} (sha256 {submission.sha256})", at=at + dt.timedelta(microseconds=50)
        )
        if len(self.submissions) == 1:
            self._assign_reviewers(at + dt.timedelta(hours=self.rng.randint(2, 30)))

    def write_submission(self, *, kind: str, content: str, actor: Actor, at: dt.datetime) -> SimpleNamespace:
        """The one place a submission row is written (the snapshot and its hash exactly as the service makes them).

        Rows that the project may later keep per submission (counts per body, say) belong here, or better in a
        service function that this calls, so that they are written as the application writes them.
        """
        assert self.response is not None
        table = self.m.tables[QadSubmission]
        pk = table.new_id()
        submission = SimpleNamespace(
            id=pk,
            uuid=self.m.uuid(),
            reference=f"QAD-{pk:06d}",
            kind=kind,
            sha256=qad_rules.sha256_text(content),
            response_revision=self.response["revision"],
            questions=[(q.qid, q.owner) for q in self.questions],
            at=at,
        )
        table.add(
            id=pk,
            uuid=submission.uuid,
            created_at=at,
            updated_at=at,
            reference=submission.reference,
            case_id=self.case["id"],
            response_id=self.response["id"],
            kind=kind,
            qad_version=self.m.version.version,
            response_revision=submission.response_revision,
            content=content,
            sha256=submission.sha256,
            submitted_by_id=actor.user_id,
            submitted_by_name=actor.display_name[:200],
        )
        # Each approving body's share, as ``submission_create`` counts it (what the review queue reads).
        shares = qad_rules.assessed_question_counts(
            [{"owner": owner} for _, owner in submission.questions], role=self.p.role
        )
        bodies = self.m.tables[SubmissionBody]
        for body, count in sorted(shares.items()):
            bodies.add(submission_id=pk, body=body, questions=count)
        self.submissions.append(submission)
        return submission

    def _owning_bodies(self, submission: SimpleNamespace) -> list[str]:
        """The bodies with a share of the submission: owners of its questions that approve the role."""
        return sorted({owner for _, owner in submission.questions if qad_rules.assessed_for(owner, self.p.role)})

    def _submission_received(self, at: dt.datetime) -> None:
        """``assessment.services.submission_received`` (a case workflow effect): the owning bodies are told."""
        submission = self.submissions[-1]
        for body in self._owning_bodies(submission):
            reviewer = self.reviewers.get(body)
            recipients = [int(reviewer.user_id)] if reviewer and reviewer.user_id else self.m.assessor_ids(body)
            self.m.notify(
                at=at,
                recipients=recipients,
                kind=ch.NOTICE_SUBMISSION_RECEIVED,
                title=f"{submission.reference}: {SubmissionKind(submission.kind).label} from "
                f"{self.org.name} ({self.p.mpid} {self.p.role})",
                body=f"{self.case['reference']} has sections owned by the {ch.APPROVER_NAMES[body]} ready for review.",
                link=self._case_link(),
            )

    def _case_link(self) -> str:
        return f"/assessment/cases/{self.case['uuid']}/"

    def _assign_reviewers(self, at: dt.datetime) -> None:
        """``assessment.services.review_assign``: each owning body puts one of its assessors on the case."""
        for body in self._owning_bodies(self.submissions[0]):
            team = self.m.cast.assessors[body]
            reviewer = team[self.rng.randrange(len(team))]
            assigner = self._req(team[0])
            at += dt.timedelta(minutes=self.rng.randint(5, 90))
            self.m.tables[ReviewAssignment].add(
                created_at=at,
                updated_at=at,
                case_id=self.case["id"],
                body=body,
                reviewer_id=reviewer.user_id,
                assigned_by_name=assigner.display_name[:200],
            )
            self.m.audit.record(
                at=at,
                actor=assigner,
                action="assessment.review.assign",
                target=QualificationCase,
                object_id=self.case["uuid"],
                object_repr=self._case_repr(),
                organisation_id=self.org.id,
                changes={"body": body, "reviewer": reviewer.display_name},
            )
            self.reviewers[body] = reviewer
        self.clock = max(self.clock, at)

    def _declare(self) -> None:
        """The demo's ``declare``: ``qad.services.declaration_record`` on the latest Final snapshot."""
        submission = next(s for s in reversed(self.submissions) if s.kind == SubmissionKind.FINAL)
        actor = self._req(self.lead.actor)
        at = self._later(5)
        name = f"{self.lead.full_name.split()[0]} Director"
        self.m.tables[QadDeclaration].add(
            created_at=at,
            updated_at=at,
            submission_id=submission.id,
            snapshot_sha256=submission.sha256,
            capacity=DeclarationCapacity.DIRECTOR,
            name=name,
            position="Director",
            email=f"director@{self.org.domain}",
            statement="I confirm that this Final QAD is complete and accurate to the best of my knowledge.",
            recorded_by_id=actor.user_id,
            recorded_by_name=actor.display_name[:200],
        )
        self.m.audit.record(
            at=at,
            actor=actor,
            action="qad.declaration.record",
            target=QadSubmission,
            object_id=submission.uuid,
            object_repr=f"{submission.reference} {SubmissionKind.FINAL.label} of {self.case['reference']}",
            organisation_id=self.org.id,
            changes={"name": name, "capacity": DeclarationCapacity.DIRECTOR, "sha256": submission.sha256},
        )
