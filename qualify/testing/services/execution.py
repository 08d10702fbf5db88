"""Recording a run of a required test case (DOMAIN.md §10a "During QT").

A run is always against the case's current frozen scope and the catalogue version it was scoped on; the new run
becomes the one that counts (``is_latest``) for its test case. Imports and the API push through the same rules.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.testing.choices import ExecutionSource, ExecutionStatus
from qualify.testing.models import CatalogueCase, Execution, ResultImport, ScopeRecord
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
) -> Execution:
    """Add a run of one required test case; it becomes the run that counts. The caller has checked permission."""
    check_status(status, not_applicable_reason)
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
        recorded_by_name=actor.display_name,
    )
    audit_record(
        actor=actor,
        action="testing.execution_recorded",
        target=run,
        organisation_id=int(case.participation.organisation_id),
        changes={"case": case.reference, "test_case": test_case_id, "status": status, "source": source},
    )
    return run
