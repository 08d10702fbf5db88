"""The conditions the lifecycle checks when a case enters and leaves testing (DOMAIN.md §10a; QA&P Annexes 1 to 3).

Each condition is met or not, with the words that name what is missing; the case steps ``start_testing`` and
``complete_testing`` are refused with those words (registered as guards in ``TestingConfig.ready``), and the gates
page and ``GET /api/v1/testing/cases/{ref}/gates`` list the same conditions.

Entering QT (QT and new-entrant routes): scope confirmed, PIT exit evidence accepted, Initial QAD submitted, DIP and
test-framework onboarding accepted, test data accepted (Suppliers), the smoke test accepted (LDSOs, who run it before
any other test case), and the RTTM taken at QT entry. The SIT route has no QT prerequisites to enter.

Leaving QT: every required test case's latest run passed, or not applicable and accepted, or covered by an open
defect whose work-off plan is agreed; every open defect has an agreed plan; the RTTM taken at QT exit; a Test
Completion Report submitted. Leaving on the SIT route: SIT exit evidence accepted and every open finding's work-off
plan agreed.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualify.assessment.choices import FindingState
from qualify.assessment.models import Finding
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core.workflow import TransitionInput
from qualify.participants.choices import Route
from qualify.testing import prerequisites as rules
from qualify.testing.choices import (
    QT_ROUTES,
    Assurance,
    DefectState,
    ExecutionStatus,
    Gate,
    Prerequisite,
    PrerequisiteState,
    ReportState,
)
from qualify.testing.models import CompletionReport, Defect, Execution, PrerequisiteRecord, RttmSnapshot, ScopeRecord

# How many test case ids or references a refusal names before it gives only the count.
SHOWN = 5
BEFORE_INITIAL_QAD = frozenset({CaseState.DRAFT, CaseState.PREQUAL_SUBMITTED, CaseState.SCOPED, CaseState.PIT})
OPEN_FINDING = (FindingState.OPEN, FindingState.PLAN_PROPOSED)


@dataclass(frozen=True)
class Condition:
    """One condition of a gate: ``message`` says what is missing when it is not met (and what is on record when it
    is); ``kind`` names the prerequisite it is about, if any, so pages can link to it."""

    key: str
    label: str
    met: bool
    message: str
    kind: str = ""


def _named(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    more = len(items) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _prerequisite(kind: str, record: PrerequisiteRecord | None) -> Condition:
    label = str(Prerequisite(kind).label)
    if record is None:
        return Condition(f"prerequisite:{kind}", label, False, f"{label}: not recorded yet.", kind)
    if record.state == PrerequisiteState.ACCEPTED:
        return Condition(f"prerequisite:{kind}", label, True, f"{label}: accepted by {record.reviewed_by_name}.", kind)
    if record.state == PrerequisiteState.SENT_BACK:
        why = f" ({record.review_comment[:200]})" if record.review_comment else ""
        return Condition(f"prerequisite:{kind}", label, False, f"{label}: sent back{why}; record it again.", kind)
    return Condition(f"prerequisite:{kind}", label, False, f"{label}: recorded, awaiting acceptance.", kind)


def _prerequisites(case: QualificationCase, kinds: tuple[str, ...]) -> list[Condition]:
    if not kinds:
        return []
    records = {r.kind: r for r in PrerequisiteRecord.objects.filter(case=case, kind__in=kinds)}
    return [_prerequisite(kind, records.get(kind)) for kind in kinds]


def _snapshot(case: QualificationCase, gate: str) -> Condition:
    label = f"RTTM at {Gate(gate).label}"
    taken = RttmSnapshot.objects.filter(case=case, gate=gate).exists()
    if taken:
        return Condition(f"rttm:{gate}", label, True, f"The RTTM was taken at {Gate(gate).label}.")
    return Condition(f"rttm:{gate}", label, False, f"The RTTM has not been taken at {Gate(gate).label}.")


def is_qt_route(case: QualificationCase) -> bool:
    return case.participation.route in QT_ROUTES


def entry_conditions(case: QualificationCase) -> list[Condition]:
    """What entering testing needs, for this case's role and route."""
    participation = case.participation
    conditions: list[Condition] = []
    qt = is_qt_route(case)
    if qt:
        scoped = ScopeRecord.objects.filter(case=case).exists()
        conditions.append(
            Condition(
                "scope",
                "Scope confirmed",
                scoped,
                "The required test set is confirmed." if scoped else "Scope is not confirmed: no required test set.",
            )
        )
    entry_kinds = rules.for_entry(participation.role, participation.route)
    pit = [k for k in entry_kinds if k == Prerequisite.PIT_EXIT]
    conditions += _prerequisites(case, tuple(pit))
    submitted = case.state not in BEFORE_INITIAL_QAD
    conditions.append(
        Condition(
            "initial_qad",
            "Initial QAD submitted",
            submitted,
            "The Initial QAD is submitted." if submitted else "The Initial QAD is not submitted yet.",
        )
    )
    conditions += _prerequisites(case, tuple(k for k in entry_kinds if k != Prerequisite.PIT_EXIT))
    if qt:
        conditions.append(_snapshot(case, Gate.QT_ENTRY))
    return conditions


def _outstanding_cases(case: QualificationCase, required: list[str]) -> list[str]:
    """Required test cases neither passed, nor not applicable and accepted, nor covered by an agreed work-off plan,
    each with why (e.g. ``QT-093 (failed)``), in id order."""
    latest = {
        r["test_case_id"]: r
        for r in Execution.objects.filter(case=case, is_latest=True, test_case_id__in=required).values(
            "test_case_id", "status", "assurance"
        )
    }
    covered = set(
        Defect.objects.filter(case=case, test_case_id__in=required, finding__state=FindingState.PLAN_AGREED)
        .exclude(state=DefectState.CLOSED)
        .values_list("test_case_id", flat=True)
    )
    labels = dict(ExecutionStatus.choices)
    outstanding = []
    for test_case in sorted(required):
        run = latest.get(test_case)
        status = run["status"] if run else ExecutionStatus.NOT_RUN
        if status == ExecutionStatus.PASSED or test_case in covered:
            continue
        if status == ExecutionStatus.NOT_APPLICABLE:
            if run and run["assurance"] == Assurance.ACCEPTED:
                continue
            outstanding.append(f"{test_case} (not applicable, not yet accepted)")
            continue
        outstanding.append(f"{test_case} ({str(labels[status]).lower()})")
    return outstanding


def exit_conditions(case: QualificationCase) -> list[Condition]:
    """What leaving testing needs, for this case's route."""
    participation = case.participation
    if participation.route == Route.SIT:
        conditions = _prerequisites(case, rules.for_exit(participation.role, participation.route))
        open_findings = list(
            Finding.objects.filter(case=case, state__in=OPEN_FINDING)
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        conditions.append(
            Condition(
                "findings",
                "Work-off plans agreed",
                not open_findings,
                f"{len(open_findings)} open finding(s) without an agreed work-off plan: {_named(open_findings)}."
                if open_findings
                else "Every open finding has an agreed work-off plan.",
            )
        )
        return conditions
    if not is_qt_route(case):
        return []
    scope = ScopeRecord.objects.filter(case=case).order_by("-sequence").only("required").first()
    conditions = []
    if scope is None:
        conditions.append(
            Condition("required_cases", "Required test cases", False, "Scope is not confirmed: no required test set.")
        )
    else:
        outstanding = _outstanding_cases(case, list(scope.required))
        conditions.append(
            Condition(
                "required_cases",
                "Required test cases",
                not outstanding,
                f"{len(outstanding)} of {len(scope.required)} required test case(s) not passed and not covered by "
                f"an agreed work-off plan: {_named(outstanding)}."
                if outstanding
                else f"All {len(scope.required)} required test cases passed or are covered.",
            )
        )
    uncovered = list(
        Defect.objects.filter(case=case)
        .exclude(state=DefectState.CLOSED)
        .exclude(finding__state=FindingState.PLAN_AGREED)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    conditions.append(
        Condition(
            "defects",
            "Work-off plans for open defects",
            not uncovered,
            f"{len(uncovered)} open defect(s) without an agreed work-off plan: {_named(uncovered)}."
            if uncovered
            else "Every open defect has an agreed work-off plan.",
        )
    )
    conditions.append(_snapshot(case, Gate.QT_EXIT))
    submitted = CompletionReport.objects.filter(case=case, state=ReportState.SUBMITTED).exists()
    conditions.append(
        Condition(
            "completion_report",
            "Test Completion Report",
            submitted,
            "A Test Completion Report is submitted." if submitted else "No Test Completion Report is submitted yet.",
        )
    )
    return conditions


def _refusal(conditions: list[Condition], step: str) -> str | None:
    missing = [c.message for c in conditions if not c.met]
    if not missing:
        return None
    return f"{step} needs: " + " ".join(missing)


def entering_testing(case: QualificationCase, data: TransitionInput) -> str | None:
    """Guard on ``start_testing``: names every entry condition not met."""
    return _refusal(entry_conditions(case), "Starting testing")


def leaving_testing(case: QualificationCase, data: TransitionInput) -> str | None:
    """Guard on ``complete_testing``: names every exit condition not met."""
    return _refusal(exit_conditions(case), "Completing testing")
