"""Generating and submitting the Test Completion Report (DOMAIN.md §10a "Leaving QT").

``completion_report_generate`` collects the facts from the records (scope and its reasons, decided reliance, results
by batch, open defects with their work-off plans, the RTTM summary — the latest QT exit snapshot, else the live
matrix), stores them with their SHA-256, and renders them as Word and PDF files kept in the QAD evidence store through
the QAD's own upload service (same checks, size, hash and storage as any evidence). ``completion_report_submit``
(the participant's lead) marks the report submitted through the workflow engine and attaches both files to the QAD
question that asks for the Test Completion Report, so the Final QAD submission freezes them by hash.
"""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction
from django.db.models import Max

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core import clock, storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.qad import rules
from qualify.qad.choices import EvidenceKind
from qualify.qad.models import EvidenceFile, QadQuestion, QadResponse
from qualify.qad.selectors import exemption_kinds
from qualify.qad.services import evidence_link, evidence_unlink, evidence_upload, response_open
from qualify.testing.choices import DefectState, Gate, ProposalState, ReportState
from qualify.testing.completion import report_docx, report_pdf, results_by_batch, scope_facts
from qualify.testing.models import CatalogueCase, CompletionReport, Defect, Execution, RelianceProposal, ScopeRecord
from qualify.testing.permissions import can_generate_completion_report
from qualify.testing.report_workflow import REPORT_WORKFLOW
from qualify.testing.rttm import canonical_sha256
from qualify.testing.selectors.rttm import latest_snapshot, rttm_live
from qualify.testing.services.execution import scoped_or_refuse


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def completion_facts(case: QualificationCase, scope: ScopeRecord, *, sequence: int, actor: Actor) -> dict[str, Any]:
    """Everything the report says, as JSON-ready data (the case was fetched within the actor's scope)."""
    participation = case.participation
    required = [str(v["case_id"]) for v in scope.verdicts if v["included"]]
    batch_of = dict(
        CatalogueCase.objects.filter(catalogue_id=scope.catalogue_id, case_id__in=required).values_list(
            "case_id", "batch"
        )
    )
    latest = dict(
        Execution.objects.filter(case=case, is_latest=True, test_case_id__in=required).values_list(
            "test_case_id", "status"
        )
    )
    reliance = [
        {
            "reference": p.reference,
            "relied_on": p.relied_on_name + (f" ({p.relied_on_mpid})" if p.relied_on_mpid else ""),
            "kind": p.get_relied_on_kind_display(),
            "outcome": p.get_outcome_display(),
            "covers": list(p.covers),
            "accepted_covers": list(p.accepted_covers),
        }
        for p in RelianceProposal.objects.filter(case=case, state=ProposalState.DECIDED).order_by("reference")
    ]
    defects = []
    for d in (
        Defect.objects.filter(case=case)
        .exclude(state=DefectState.CLOSED)
        .select_related("finding")
        .order_by("reference")
    ):
        plan = None
        if d.finding is not None:
            plan = {
                "finding": d.finding.reference,
                "state": d.finding.get_state_display(),
                "work_off_plan": d.finding.work_off_plan,
                "owner": d.finding.owner,
                "due_date": d.finding.due_date.isoformat() if d.finding.due_date else None,
            }
        defects.append(
            {
                "reference": d.reference,
                "title": d.title,
                "test_case": d.test_case_id,
                "severity": d.get_severity_display(),
                "state": d.get_state_display(),
                "owner": d.owner,
                "target_date": d.target_date.isoformat() if d.target_date else None,
                "plan": plan,
            }
        )
    snapshot = latest_snapshot(case, Gate.QT_EXIT)
    if snapshot is not None:
        rttm: dict[str, Any] = {
            "snapshot": {
                "gate": snapshot.gate,
                "gate_label": snapshot.get_gate_display(),
                "sequence": snapshot.sequence,
                "sha256": snapshot.sha256,
                "taken_at": snapshot.created_at.isoformat(timespec="seconds"),
            },
            "summary": snapshot.summary,
        }
    else:
        rttm = {"snapshot": None, "summary": rttm_live(case).summary}
    return {
        "case": case.reference,
        "organisation": participation.organisation.name,
        "mpid": participation.mpid,
        "role": participation.get_role_display(),
        "route": participation.get_route_display(),
        "sequence": sequence,
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "generated_by": actor.display_name[:200],
        "scope": {
            "sequence": scope.sequence,
            "catalogue": scope.catalogue.version,
            "sha256": scope.sha256,
            "required": len(scope.required),
            **scope_facts(scope.verdicts),
        },
        "reliance": reliance,
        "results": results_by_batch(scope.catalogue.batches, {c: batch_of.get(c, "") for c in required}, latest),
        "defects": defects,
        "rttm": rttm,
    }


def _store(actor: Actor, response: QadResponse, name: str, data: bytes) -> EvidenceFile:
    return evidence_upload(
        actor=actor,
        response=response,
        upload=io.BytesIO(data),
        name=name,
        size=len(data),
        evidence_as_of=clock.today(),
    )


@transaction.atomic
def completion_report_generate(*, actor: Actor, case: QualificationCase) -> CompletionReport:
    """Generate the next Test Completion Report of a scoped case: facts, hash, and its Word and PDF files.

    The participant's lead or a contributor generates it (its files are the organisation's QAD evidence).
    """
    case = QualificationCase.objects.select_for_update().select_related("participation__organisation").get(pk=case.pk)
    organisation_id = int(case.participation.organisation_id)
    can_generate_completion_report(actor, organisation_id).enforce()
    scope = scoped_or_refuse(case)
    sequence = (CompletionReport.objects.filter(case=case).aggregate(n=Max("sequence"))["n"] or 0) + 1
    facts = completion_facts(case, scope, sequence=sequence, actor=actor)
    response = response_open(actor=actor, case=case)
    stem = f"TCR-{case.reference}-{sequence}"
    stored: list[str] = []
    try:
        word = _store(actor, response, f"{stem}.docx", report_docx(facts))
        stored.append(word.storage_name)
        pdf = _store(actor, response, f"{stem}.pdf", report_pdf(facts))
        stored.append(pdf.storage_name)
    except BaseException:
        # The rows roll back with this transaction; the copies already in storage would outlive them.
        for name in stored:
            storedfiles.discard(name)
        raise
    report = CompletionReport.objects.create(
        case=case,
        sequence=sequence,
        scope=scope,
        facts=facts,
        facts_sha256=canonical_sha256(facts),
        word=word,
        pdf=pdf,
        generated_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="testing.completion_report_generated",
        target=report,
        organisation_id=organisation_id,
        changes={
            "case": case.reference,
            "sequence": sequence,
            "facts_sha256": report.facts_sha256,
            "word_sha256": word.sha256,
            "pdf_sha256": pdf.sha256,
        },
    )
    return report


def completion_question(response: QadResponse) -> QadQuestion:
    """The QAD question of the case's version that asks for the Test Completion Report: the first, in the
    questionnaire's order, that applies to the case and names TEST_COMPLETION_REPORT among its evidence kinds
    (in the sample QAD: 3.4 for BSC-approved roles on the QT routes, 6.12 for a MEM)."""
    participation = response.case.participation
    exemptions = exemption_kinds(participation)
    for question in QadQuestion.objects.filter(version_id=response.version_id).order_by("position"):
        if EvidenceKind.TEST_COMPLETION_REPORT in (question.evidence_kinds or []) and rules.applies(
            question, role=participation.role, route=participation.route, exemptions=exemptions
        ):
            return question
    raise ValidationFailed(
        f"QAD v{response.version.version} asks this case for no Test Completion Report, so there is no question to "
        "attach it to.",
        details={"question": "none"},
        code="no_completion_question",
    )


@transaction.atomic
def completion_report_submit(*, actor: Actor, report: CompletionReport) -> CompletionReport:
    """Submit a generated report: it becomes the evidence of the QAD's Test Completion Report question (an earlier
    submitted report's files are detached from it, so the Final QAD carries one report)."""
    submitted = apply_transition(REPORT_WORKFLOW, actor=actor, instance=report, name="submit", data=TransitionInput())
    response = QadResponse.objects.select_related("case__participation", "version").get(case_id=submitted.case_id)
    question = completion_question(response)
    earlier = CompletionReport.objects.filter(case_id=submitted.case_id, state=ReportState.SUBMITTED).exclude(
        pk=submitted.pk
    )
    for old in earlier.select_related("word", "pdf"):
        for file in (old.word, old.pdf):
            if file is not None:
                evidence_unlink(actor=actor, response=response, evidence=file, question_id=question.qid)
    for file in (submitted.word, submitted.pdf):
        if file is not None:
            evidence_link(actor=actor, response=response, evidence=file, question_id=question.qid)
    return submitted
