"""Filling and submitting the demo's QADs through the QAD services, as a participant's lead would.

A case that has passed the Initial (or Final) QAD in the demo has a real, complete QAD behind it: every applicable
question answered, evidence uploaded once and linked to the questions that need it, and a hashed snapshot submitted;
a signed case has its director's own declaration bound to the Final snapshot, made through the lead's invitation.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from qualify.accounts.models import User
from qualify.accounts.services import user_create
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.qad.choices import AnswerType, DeclarationCapacity, SubmissionKind
from qualify.qad.declarations import declaration_invite, declaration_make, invitation_accept
from qualify.qad.models import QadResponse, QadVersion
from qualify.qad.selectors import qad_view
from qualify.qad.services import (
    answer_save,
    evidence_upload,
    qad_version_load,
    response_open,
    submission_create,
)

SAMPLE_QAD = Path(__file__).resolve().parent.parent / "qad" / "data" / "sample-qad-v3.2.yaml"


def publish_sample_qad(actor: Actor) -> QadVersion:
    return qad_version_load(
        actor=actor, text=SAMPLE_QAD.read_text(encoding="utf-8"), source_name=SAMPLE_QAD.name, publish=True
    )


def _pdf(title: str) -> bytes:
    """A small, well-formed PDF standing in for a real evidence document."""
    body = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
        + f"4 0 obj << /Length {len(body)} >> stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _answer(question: Any, organisation: str) -> Any:
    kind = question.answer_type
    if kind == AnswerType.TEXT:
        return (
            f"{organisation} meets this through its documented procedure, owned by the qualification lead and "
            f"reviewed quarterly; see the linked evidence for question {question.number}."
        )
    if kind == AnswerType.YES_NO:
        return "yes"
    if kind == AnswerType.SINGLE_CHOICE:
        return question.choices[0]
    if kind == AnswerType.MULTIPLE_CHOICE:
        return question.choices[:2]
    if kind == AnswerType.DATE:
        return "2026-03-31"
    if kind == AnswerType.NUMBER:
        return "12"
    return [{c["id"]: f"{c['title']} (row 1)" for c in question.columns}]


def complete_qad(response: QadResponse, lead: Actor, *, evidence_title: str, as_of: dt.date) -> None:
    """Answer every applicable question not yet answered and attach one evidence file to those needing it."""
    view = qad_view(actor=lead, response=response)
    organisation = response.case.participation.organisation.name
    needs_evidence = []
    for section in view.sections:
        for question in section.questions:
            if question.qid not in view.answers:
                answer_save(
                    actor=lead, response=response, question_id=question.qid, value=_answer(question, organisation)
                )
            if question.evidence_required and not view.links.get(question.qid):
                needs_evidence.append(question.qid)
    if needs_evidence:
        data = _pdf(f"{organisation}: {evidence_title}")
        evidence_upload(
            actor=lead,
            response=response,
            upload=io.BytesIO(data),
            name=f"{evidence_title.lower().replace(' ', '-')}.pdf",
            size=len(data),
            evidence_as_of=as_of,
            question_ids=needs_evidence,
        )


def submit_qad(case: QualificationCase, lead: Actor, *, kind: str, as_of: dt.date) -> QualificationCase:
    """Complete the case's QAD and submit it; the QAD service moves the case in the same transaction."""
    response = response_open(actor=lead, case=case)
    title = "PIT exit evidence and RTTM" if kind == SubmissionKind.INITIAL else "Test Completion Report"
    complete_qad(response, lead, evidence_title=title, as_of=as_of)
    submission_create(actor=lead, response=response, kind=kind)
    return QualificationCase.objects.get(pk=case.pk)


def declare(case: QualificationCase, lead: Actor, *, director: str) -> QualificationCase:
    """The director's declaration as it happens for real, which is what signs the case (DOMAIN.md §4 "signed").

    The lead invites the director by e-mail once the content is agreed; the director (an account of their own,
    created here without a password when they have none: a named person of the demo who does not sign in) accepts
    the invitation and declares on the latest Final snapshot, which takes the case's ``sign`` step.
    """
    domain = case.participation.organisation.name.split()[0].lower()
    email = f"director@{domain}.example"
    issued = declaration_invite(
        actor=lead, case=case, email=email, capacity=DeclarationCapacity.DIRECTOR, name=director
    )
    user = User.objects.filter(email=email).first() or user_create(
        actor=system_actor("demo loader"), email=email, full_name=director
    )
    person = actor_for_user(user, request_id=lead.request_id)
    invitation_accept(actor=person, token=issued.token)
    declaration_make(actor=person, invitation=issued.invitation, position="Director", confirmed=True)
    return QualificationCase.objects.get(pk=case.pk)
