"""Set-up for the RTTM and Test Completion Report tests: a scoped case with runs, defects and a published QAD."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qualify.assessment.models import Finding
from qualify.qad.models import QadVersion
from qualify.testing.models import Defect, ScopeRecord
from qualify.testing.services.execution import execution_record
from qualify.testing.tests.helpers import programme, scoped


def qad_published() -> QadVersion:
    from qualify.qad.tests.helpers import publish_sample

    return QadVersion.objects.filter(version="3.2").first() or publish_sample()


def required_by_batch(scope: ScopeRecord) -> dict[str, list[str]]:
    from qualify.testing.models import CatalogueCase

    out: dict[str, list[str]] = {}
    for case_id, batch in CatalogueCase.objects.filter(
        catalogue_id=scope.catalogue_id, case_id__in=scope.required
    ).values_list("case_id", "batch"):
        out.setdefault(batch, []).append(case_id)
    return out


def run(case: Any, test_case_id: str, status: str, **kw: Any) -> Any:
    if status == "NOT_APPLICABLE":
        kw.setdefault("not_applicable_reason", "not offered")
    return execution_record(
        actor=programme(), case=case, test_case_id=test_case_id, status=status, run_date=dt.date(2026, 3, 2), **kw
    )


def defect(case: Any, test_case_id: str, reference: str, *, plan: bool = False, state: str = "OPEN") -> Defect:
    """A defect row (the defect services are another helper's); with ``plan`` its work-off plan as a finding."""
    finding = None
    if plan:
        finding = Finding.objects.create(
            reference=f"FND-{reference[-4:]}",
            case=case,
            body="BSC",
            title=f"Work off {reference}",
            description="Open at QT exit.",
            owner="Test lead",
            due_date=dt.date(2026, 9, 30),
            work_off_plan="Fix the rounding and retest in the next release.",
            state="PLAN_AGREED",
            raised_by_name="assessor",
        )
    return Defect.objects.create(
        reference=reference,
        case=case,
        test_case_id=test_case_id,
        title=f"Defect on {test_case_id}",
        severity="HIGH",
        state=state,
        owner="Test lead",
        raised_on=dt.date(2026, 3, 2),
        target_date=dt.date(2026, 4, 30),
        raised_by_name="tester",
        finding=finding,
    )


def scoped_with_runs(case: Any) -> tuple[ScopeRecord, list[str]]:
    """Scope the case; pass the first required case, fail the second (with an open defect), block the third."""
    scope = scoped(case)
    first, second, third = scope.required[:3]
    run(case, first, "PASSED")
    run(case, second, "FAILED")
    run(case, third, "BLOCKED")
    defect(case, second, "DEF-000901", plan=True)
    return scope, [first, second, third]
