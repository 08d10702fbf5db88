"""Reads for the RTTM, its snapshots and the Test Completion Reports (DOMAIN.md §4, §10a).

Every read starts from the case as the actor sees it (``cases.selectors.case_get``: another organisation's case is
not found) or from ``visible_to(actor)``. The live matrix costs a fixed number of queries however many runs, defects
or evidence files the case has: one per kind of record, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.qad import rules
from qualify.qad.models import EvidenceFile, QadQuestion, QadResponse
from qualify.qad.selectors import exemption_kinds, latest_published_version
from qualify.testing.choices import DefectState
from qualify.testing.models import (
    CatalogueCase,
    CompletionReport,
    Defect,
    Execution,
    RttmSnapshot,
    ScopeRecord,
)
from qualify.testing.rttm import CaseLine, RttmInputs, RunLine, rttm_rows, rttm_summary


def testing_case_get(*, actor: Actor, key: str) -> QualificationCase:
    """The case by reference or UUID, as the actor sees it (NotFound otherwise, whoever owns it)."""
    return case_get(actor=actor, key=key)


@dataclass(frozen=True)
class LiveRttm:
    """The matrix computed now: the scope it was computed against (None if the case is not scoped), rows, summary."""

    scope: ScopeRecord | None
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def _qad_questions(case: QualificationCase, batches: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each batch's QAD questions that apply to this case (its QAD's version, else the latest published one), so a
    MEM's rows name its own testing questions and a Supplier's the BSC's (docs/qt-catalogue-format.md)."""
    named = {str(b["code"]): [str(q) for q in b.get("qad_questions", [])] for b in batches}
    wanted = {q for qs in named.values() for q in qs}
    if not wanted:
        return named
    response = QadResponse.objects.filter(case=case).only("version_id").first()
    version_id = response.version_id if response is not None else getattr(latest_published_version(), "pk", None)
    if version_id is None:
        return named
    participation = case.participation
    exemptions = exemption_kinds(participation)
    applicable = {
        q.qid
        for q in QadQuestion.objects.filter(version_id=version_id, qid__in=wanted)
        if rules.applies(q, role=participation.role, route=participation.route, exemptions=exemptions)
    }
    return {code: [q for q in qs if q in applicable] for code, qs in named.items()}


def rttm_live(case: QualificationCase) -> LiveRttm:
    """The case's RTTM from the records as they are now (the case was fetched within the actor's scope)."""
    scope: ScopeRecord | None = (
        ScopeRecord.objects.filter(case=case).select_related("catalogue").order_by("-sequence").first()
    )
    if scope is None:
        return LiveRttm(scope=None, rows=[], summary=rttm_summary([]))
    cases = [
        CaseLine(case_id=c.case_id, title=c.title, batch=c.batch, requirements=tuple(c.requirements))
        for c in CatalogueCase.objects.filter(catalogue_id=scope.catalogue_id)
        .order_by("batch_position", "position")
        .only("case_id", "title", "batch", "requirements")
    ]
    runs = {
        run.test_case_id: RunLine(
            status=run.status,
            run_date=run.run_date.isoformat() if run.run_date else None,
            evidence=tuple((e.original_name, e.sha256) for e in run.evidence.all()),
        )
        for run in Execution.objects.filter(case=case, is_latest=True)
        .only("test_case_id", "status", "run_date")
        .prefetch_related(
            Prefetch("evidence", queryset=EvidenceFile.objects.only("original_name", "sha256").order_by("pk"))
        )
    }
    defects: dict[str, list[str]] = defaultdict(list)
    for test_case_id, reference in (
        Defect.objects.filter(case=case).exclude(state=DefectState.CLOSED).values_list("test_case_id", "reference")
    ):
        if test_case_id:
            defects[test_case_id].append(reference)
    rows = rttm_rows(
        RttmInputs(
            cases=cases,
            verdicts={str(v["case_id"]): v for v in scope.verdicts},
            runs=runs,
            open_defects=defects,
            batch_questions=_qad_questions(case, list(scope.catalogue.batches)),
        )
    )
    return LiveRttm(scope=scope, rows=rows, summary=rttm_summary(rows))


def snapshot_list(*, actor: Actor, case: QualificationCase) -> QuerySet[RttmSnapshot]:
    """A case's snapshots, newest first, without their rows (a list page never needs them)."""
    return (
        RttmSnapshot.objects.visible_to(actor)
        .filter(case=case)
        .defer("rows")
        .select_related("case")
        .order_by("-created_at", "-pk")
    )


def snapshot_get(*, actor: Actor, case: QualificationCase, key: str) -> RttmSnapshot:
    """One snapshot of the case by UUID; NotFound for another case's or organisation's."""
    public_id = parse_uuid(str(key))
    found = (
        RttmSnapshot.objects.visible_to(actor)
        .filter(case=case, uuid=public_id)
        .select_related("case", "scope__catalogue")
        .first()
        if public_id is not None
        else None
    )
    if found is None:
        raise NotFound("No such RTTM snapshot.")
    return found


def latest_snapshot(case: QualificationCase, gate: str) -> RttmSnapshot | None:
    """The most recent snapshot of the case at a gate (for the lifecycle gates: QT entry, QT exit)."""
    found: RttmSnapshot | None = RttmSnapshot.objects.filter(case=case, gate=gate).order_by("-sequence").first()
    return found


def report_list(*, actor: Actor, case: QualificationCase) -> QuerySet[CompletionReport]:
    return (
        CompletionReport.objects.visible_to(actor)
        .filter(case=case)
        .defer("facts")
        .select_related("case", "word", "pdf")
        .order_by("-sequence")
    )


def report_get(*, actor: Actor, case: QualificationCase, key: str) -> CompletionReport:
    public_id = parse_uuid(str(key))
    found = (
        CompletionReport.objects.visible_to(actor)
        .filter(case=case, uuid=public_id)
        .select_related("case__participation", "word", "pdf", "scope")
        .first()
        if public_id is not None
        else None
    )
    if found is None:
        raise NotFound("No such Test Completion Report.")
    return found
