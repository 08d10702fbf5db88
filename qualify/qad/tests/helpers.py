"""Set-up for QAD tests, through the services as a participant and the Programme would do it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core.actor import Actor, system_actor
from qualify.core.roles import StaffRole
from qualify.participants.choices import ExemptionKind
from qualify.participants.services import exemption_decide
from qualify.qad.choices import AnswerType
from qualify.qad.models import QadResponse, QadVersion
from qualify.qad.selectors import qad_view
from qualify.qad.services import answer_save, evidence_upload, qad_version_load, response_open

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-qad-v3.2.yaml"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def record_p476_exemption(participation: Any) -> None:
    """The BSC PAB's smart-segment exemption (P476) for a Supplier, recorded by a BSC PAB member."""
    exemption_decide(
        actor=Actor(user_id=None, display_name="BSC PAB member (tests)", staff_role=StaffRole.BSC_PAB_MEMBER),
        participation=participation,
        kind=ExemptionKind.SMART_SEGMENT,
        scope="Advanced-segment metering points only.",
        decided_on=dt.date(2026, 1, 15),
        reference="BSC P476",
    )


def publish_sample(text: str | None = None) -> QadVersion:
    return qad_version_load(
        actor=system_actor("tests"), text=text or SAMPLE.read_text(encoding="utf-8"), source_name="sample", publish=True
    )


def open_qad(case: QualificationCase, actor: Actor) -> QadResponse:
    return response_open(actor=actor, case=case)


def to_pit(case: QualificationCase, cast: Any) -> QualificationCase:
    from qualify.testing.tests.helpers import prequalify

    if case.participation.route != "SIT":
        prequalify(case)  # the form, then the case step with it
    # A Code Body assessor confirms scope (qualify/testing/apps.py).
    case = case_transition(actor=cast.actor("bsc"), case=case, name="scope", comment="scoped in a test")
    return case_transition(actor=cast.actor("lead_a"), case=case, name="start_pit")


def sample_value(question: Any) -> Any:
    kind = question.answer_type
    if kind == AnswerType.TEXT:
        return f"Our answer to {question.number}."
    if kind == AnswerType.YES_NO:
        return "yes"
    if kind == AnswerType.SINGLE_CHOICE:
        return question.choices[0]
    if kind == AnswerType.MULTIPLE_CHOICE:
        return question.choices[:2]
    if kind == AnswerType.DATE:
        return "2026-06-30"
    if kind == AnswerType.NUMBER:
        return "42"
    return [{c["id"]: f"{c['title']} 1" for c in question.columns}]


def upload_pdf(response: QadResponse, actor: Actor, questions: list[str], name: str = "evidence.pdf") -> Any:
    data = PDF + b"x" * 100
    return evidence_upload(
        actor=actor,
        response=response,
        upload=io.BytesIO(data),
        name=name,
        size=len(data),
        evidence_as_of=dt.date(2026, 1, 31),
        question_ids=questions,
    )


def complete(response: QadResponse, actor: Actor, *, skip_sections: tuple[str, ...] = ()) -> None:
    """Answer every applicable question and attach one PDF to every question that needs evidence."""
    view = qad_view(actor=actor, response=response)
    needs_evidence = []
    for section in view.sections:
        if section.section.number in skip_sections:
            continue
        for q in section.questions:
            answer_save(actor=actor, response=response, question_id=q.qid, value=sample_value(q))
            if q.evidence_required:
                needs_evidence.append(q.qid)
    if needs_evidence:
        upload_pdf(response, actor, needs_evidence)
