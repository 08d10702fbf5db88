"""Recording a run of a required test case (DOMAIN.md §10a "During QT").

A run is always against the case's current frozen scope and the catalogue version it was scoped on; the new run
becomes the one that counts (``is_latest``) for its test case. Imports and the API push through the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import clock, storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.qad.models import EvidenceFile, QadResponse
from qualify.qad.services import evidence_upload, response_open
from qualify.testing.choices import Assurance, ExecutionSource, ExecutionStatus
from qualify.testing.models import CatalogueCase, Execution, ResultImport, ScopeRecord
from qualify.testing.permissions import can_record_runs
from qualify.testing.services.scoping import current_scope

MAX_TEXT = 4000


def required_case(scope: ScopeRecord, test_case_id: str) -> CatalogueCase:
    """The catalogue case, in the scoped version, for a test case id in the required set; refused otherwise."""
    if test_case_id not in scope.required:
        raise ValidationFailed(
            f"{test_case_id} is not in this case's required test set (scope {scope.sequence}).",
            details={"test_case": test_case_id},
            code="not_in_required_set",
        )
    found: CatalogueCase = CatalogueCase.objects.get(catalogue_id=scope.catalogue_id, case_id=test_case_id)
    return found


def scoped_or_refuse(case: QualificationCase) -> ScopeRecord:
    scope = current_scope(case)
    if scope is None:
        raise ValidationFailed(
            "The case has no confirmed scope yet, so there is no required test set to record runs against.",
            details={"scope": "not confirmed"},
            code="not_scoped",
        )
    return scope


def check_status(status: str, not_applicable_reason: str) -> None:
    if status not in ExecutionStatus.values:
        raise ValidationFailed(f"Unknown test status {status[:40]!r}.", details={"status": status[:40]})
    if status == ExecutionStatus.NOT_APPLICABLE and not not_applicable_reason.strip():
        raise ValidationFailed(
            "Say why the test case is not applicable.", details={"not_applicable_reason": "required"}
        )


def check_run_date(run_date: dt.date | None) -> None:
    if run_date is not None and run_date > clock.today():
        raise ValidationFailed("The run date cannot be in the future.", details={"run_date": "future"})


@transaction.atomic
def execution_record(
    *,
    actor: Actor,
    case: QualificationCase,
    test_case_id: str,
    status: str,
    run_date: dt.date | None = None,
    tester: str = "",
    comment: str = "",
    not_applicable_reason: str = "",
    source: str = ExecutionSource.MANUAL,
    result_import: ResultImport | None = None,
    row_key: str = "",
    evidence: Sequence[EvidenceFile] = (),
) -> Execution:
    """Add a run of one required test case; it becomes the run that counts, awaiting assurance. The caller has
    checked permission and the case's state (``execution_add`` does both for the page and the API)."""
    check_status(status, not_applicable_reason)
    check_run_date(run_date)
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    scope = scoped_or_refuse(case)
    catalogue_case = required_case(scope, test_case_id)
    Execution.objects.filter(case=case, test_case_id=test_case_id, is_latest=True).update(is_latest=False)
    run = Execution.objects.create(
        case=case,
        scope=scope,
        catalogue_case=catalogue_case,
        test_case_id=test_case_id,
        batch=catalogue_case.batch,
        status=status,
        not_applicable_reason=not_applicable_reason.strip()[:MAX_TEXT],
        run_date=run_date,
        tester=tester.strip()[:200],
        comment=comment.strip()[:MAX_TEXT],
        source=source,
        result_import=result_import,
        row_key=row_key,
        is_latest=True,
        recorded_by_name=actor.display_name[:200],
    )
    if evidence:
        run.evidence.add(*evidence)
    audit_record(
        actor=actor,
        action="testing.execution_recorded",
        target=run,
        organisation_id=int(case.participation.organisation_id),
        changes={
            "case": case.reference,
            "test_case": test_case_id,
            "status": status,
            "source": source,
            **({"evidence": [str(e.uuid) for e in evidence]} if evidence else {}),
        },
    )
    return run


# --- recording from the page and the API (qt-runs) --------------------------------------------------------------------

# Runs are recorded while the case is in testing: before it the scope may still move, after it the Final QAD and the
# Test Completion Report stand on the results as they were (our reading of DOMAIN.md §4 and §10a).
RECORDING_STATES = frozenset({CaseState.TESTING})
MAX_FILES_PER_RUN = 10


@dataclass(frozen=True)
class EvidenceUpload:
    """One file the person attached: its stream, name and size, checked by the QAD evidence store."""

    stream: IO[bytes]
    name: str
    size: int


def recording_open(case: QualificationCase) -> None:
    """Refuse, naming the case's state, unless runs may be recorded now."""
    if case.state not in RECORDING_STATES:
        raise TransitionNotAllowed(
            f"Test runs and defects are recorded while the case is in testing; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
            code="not_testing",
        )


def case_qad(actor: Actor, case: QualificationCase) -> QadResponse:
    """The case's QAD, which holds its evidence files (opened if it has none yet)."""
    found = QadResponse.objects.filter(case=case).first()
    return found if found is not None else response_open(actor=actor, case=case)


def _store(
    actor: Actor, case: QualificationCase, uploads: Sequence[EvidenceUpload], as_of: dt.date
) -> list[EvidenceFile]:
    if len(uploads) > MAX_FILES_PER_RUN:
        raise ValidationFailed(
            f"Attach at most {MAX_FILES_PER_RUN} files to one run.", details={"evidence": "too_many"}
        )
    if not uploads:
        return []
    response = case_qad(actor, case)
    return [
        evidence_upload(actor=actor, response=response, upload=u.stream, name=u.name, size=u.size, evidence_as_of=as_of)
        for u in uploads
    ]


def _forget(stored: list[EvidenceFile]) -> None:
    for evidence in stored:
        storedfiles.discard(evidence.storage_name)


def execution_add(
    *,
    actor: Actor,
    case: QualificationCase,
    test_case_id: str,
    status: str,
    run_date: dt.date | None = None,
    tester: str = "",
    comment: str = "",
    not_applicable_reason: str = "",
    uploads: Sequence[EvidenceUpload] = (),
    evidence: Sequence[EvidenceFile] = (),
    source: str = ExecutionSource.MANUAL,
) -> Execution:
    """The participant records a run of a required test case, with its evidence files (DOMAIN.md §10a).

    Only the participant's lead or a contributor, only while the case is in testing, never dated in the future.
    Everything that can be refused is checked before a file is stored; the files (through the QAD evidence store,
    with its name, size and content checks) and the run are then written in one transaction, and the stored copies
    removed again if it fails. ``evidence`` are files already in the case's QAD evidence.
    """
    can_record_runs(actor, case).enforce()
    recording_open(case)
    check_status(status, not_applicable_reason)
    check_run_date(run_date)
    required_case(scoped_or_refuse(case), test_case_id)
    if any(e.response.case_id != case.pk for e in evidence):
        raise ValidationFailed("That evidence belongs to another case.", details={"evidence": "other_case"})
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            locked = QualificationCase.objects.select_for_update().get(pk=case.pk)
            recording_open(locked)
            stored = _store(actor, locked, uploads, run_date or clock.today())
            return execution_record(
                actor=actor,
                case=locked,
                test_case_id=test_case_id,
                status=status,
                run_date=run_date,
                tester=tester,
                comment=comment,
                not_applicable_reason=not_applicable_reason,
                source=source,
                evidence=[*evidence, *stored],
            )
    except BaseException:
        _forget(stored)
        raise


def execution_evidence_add(*, actor: Actor, execution: Execution, uploads: Sequence[EvidenceUpload]) -> Execution:
    """Attach more evidence to the latest run of a test case while it awaits assurance (an accepted run is settled;
    a run sent back is answered by a new run)."""
    case = execution.case
    can_record_runs(actor, case).enforce()
    recording_open(case)
    if not uploads:
        raise ValidationFailed("Choose a file to attach.", details={"evidence": "required"})
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            run = Execution.objects.select_for_update().select_related("case__participation").get(pk=execution.pk)
            if not run.is_latest or run.assurance != Assurance.PENDING:
                raise TransitionNotAllowed(
                    f"Evidence is added to the latest run of {run.test_case_id} while it awaits assurance; record a "
                    "new run instead.",
                    details={"assurance": run.assurance, "latest": run.is_latest},
                    code="run_settled",
                )
            stored = _store(actor, run.case, uploads, run.run_date or clock.today())
            run.evidence.add(*stored)
            audit_record(
                actor=actor,
                action="testing.execution_evidence_added",
                target=run,
                organisation_id=int(run.case.participation.organisation_id),
                changes={"test_case": run.test_case_id, "evidence": [str(e.uuid) for e in stored]},
            )
            return run
    except BaseException:
        _forget(stored)
        raise
