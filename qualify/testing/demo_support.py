"""Meeting the testing gates for a case by recording what they check, through the testing services.

Used by the demo loader and by tests that walk a case past testing: it records and accepts the prerequisites that
apply, passes every required test case with a real run, takes the RTTM snapshots the gates read and generates and
submits the Test Completion Report (its Word and PDF files go into the QAD's evidence), all in the name of the
participant's lead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.roles import MembershipRole, StaffRole
from qualify.participants.choices import MarketRole
from qualify.testing import prerequisites as rules
from qualify.testing.choices import ExecutionStatus, Gate, PrerequisiteState, ReportState
from qualify.testing.gates import is_qt_route
from qualify.testing.models import CompletionReport, Execution, PrerequisiteRecord, RttmSnapshot
from qualify.testing.services.completion import completion_report_generate, completion_report_submit
from qualify.testing.services.execution import execution_record
from qualify.testing.services.prerequisites import prerequisite_accept, prerequisite_record
from qualify.testing.services.rttm import rttm_snapshot_take
from qualify.testing.services.scoping import current_scope

# The sample catalogue shipped with the app (docs/qt-catalogue-format.md), which the demo publishes.
SAMPLE_CATALOGUE = Path(__file__).resolve().parent / "data" / "sample-qt-catalogue-v1.0.yaml"


def participant_actor(case: QualificationCase, name: str = "Qualification lead") -> Actor:
    """The case organisation's lead, as an actor (for set-up where no signed-in person is at hand)."""
    return Actor(
        user_id=None,
        display_name=name,
        memberships={int(case.participation.organisation_id): MembershipRole.LEAD},
    )


def reviewer_actor(case: QualificationCase) -> Actor:
    """Who accepts the case's prerequisites: a BSC assessor, or for an LDSO the Programme's test manager."""
    if case.participation.role == MarketRole.LDSO:
        return Actor(user_id=None, display_name="Programme test manager", staff_role=StaffRole.PROGRAMME_ADMIN)
    return Actor(user_id=None, display_name="BSC assessor", staff_role=StaffRole.BSC_ASSESSOR)


def accept_prerequisites(
    case: QualificationCase,
    kinds: tuple[str, ...],
    *,
    participant: Actor | None = None,
    reviewer: Actor | None = None,
    completed_on: dt.date | None = None,
) -> None:
    """Record and accept each of ``kinds`` not yet accepted."""
    participant = participant or participant_actor(case)
    reviewer = reviewer or reviewer_actor(case)
    accepted = set(
        PrerequisiteRecord.objects.filter(case=case, state=PrerequisiteState.ACCEPTED).values_list("kind", flat=True)
    )
    for kind in kinds:
        if kind in accepted:
            continue
        record = prerequisite_record(
            actor=participant,
            case=case,
            kind=kind,
            completed_on=completed_on or clock.today(),
            note="Completed and evidenced in the test environment.",
        )
        prerequisite_accept(actor=reviewer, record=record, comment="Evidence checked.")


def take_rttm(case: QualificationCase, gate: str, actor: Actor) -> RttmSnapshot:
    """The RTTM frozen at ``gate`` by the RTTM service, from the case's records as they are now."""
    return rttm_snapshot_take(actor=actor, case=case, gate=gate)


def satisfy_entry(case: QualificationCase, *, participant: Actor | None = None, reviewer: Actor | None = None) -> None:
    """Everything entering testing checks, except the scope and the Initial QAD (the lifecycle's own steps)."""
    participation = case.participation
    accept_prerequisites(
        case, rules.for_entry(participation.role, participation.route), participant=participant, reviewer=reviewer
    )
    # The RTTM traces the required set, so it is taken only once the case is scoped (the entry gate says so otherwise).
    scoped = current_scope(case) is not None
    if is_qt_route(case) and scoped and not RttmSnapshot.objects.filter(case=case, gate=Gate.QT_ENTRY).exists():
        take_rttm(case, Gate.QT_ENTRY, participant or participant_actor(case))


def satisfy_exit(
    case: QualificationCase,
    *,
    participant: Actor | None = None,
    reviewer: Actor | None = None,
    run_date: dt.date | None = None,
) -> None:
    """Everything leaving testing checks: every required case passed, the RTTM at QT exit and a submitted report
    (QT routes), or the SIT exit evidence accepted (SIT route)."""
    participant = participant or participant_actor(case)
    participation = case.participation
    accept_prerequisites(
        case, rules.for_exit(participation.role, participation.route), participant=participant, reviewer=reviewer
    )
    if not is_qt_route(case):
        return
    scope = current_scope(case)
    if scope is None:
        return
    passed = set(
        Execution.objects.filter(case=case, is_latest=True, status=ExecutionStatus.PASSED).values_list(
            "test_case_id", flat=True
        )
    )
    for test_case in scope.required:
        if test_case not in passed:
            execution_record(
                actor=participant,
                case=case,
                test_case_id=test_case,
                status=ExecutionStatus.PASSED,
                run_date=run_date or clock.today(),
                tester=participant.display_name,
            )
    if not RttmSnapshot.objects.filter(case=case, gate=Gate.QT_EXIT).exists():
        take_rttm(case, Gate.QT_EXIT, participant)
    if not CompletionReport.objects.filter(case=case, state=ReportState.SUBMITTED).exists():
        report = completion_report_generate(actor=participant, case=case)
        completion_report_submit(actor=participant, report=report)
