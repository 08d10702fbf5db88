"""Entering and leaving testing: which prerequisites apply, each gate refused naming what is missing, then allowed.

Three participations walk the gates: the cast's Supplier on the QT route (case_a), an LDSO on the QT route (it runs
a smoke test first) and the cast's MEM on the SIT route (case_a_mem), which has only the SIT rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from qualify.assessment.choices import FindingState
from qualify.assessment.models import Finding
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open, case_transition
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.testing import prerequisites as rules
from qualify.testing.choices import ExecutionStatus, Gate, Prerequisite, PrerequisiteState
from qualify.testing.demo_support import accept_prerequisites, participant_actor, reviewer_actor, take_rttm
from qualify.testing.gates import entry_conditions, exit_conditions
from qualify.testing.models import CompletionReport, Defect, PrerequisiteRecord
from qualify.testing.services.execution import execution_record
from qualify.testing.services.prerequisites import (
    prerequisite_accept,
    prerequisite_record,
    prerequisite_send_back,
)
from qualify.testing.tests.helpers import satisfy_testing_gates, scoped

pytestmark = pytest.mark.django_db
P = Prerequisite


@pytest.fixture(autouse=True)
def qad_published(db):  # type: ignore[no-untyped-def]
    """The Test Completion Report's files go into the case's QAD evidence, so a QAD version is published."""
    from qualify.qad.tests.helpers import publish_sample

    publish_sample()


QT_ENTRY_COMMON = (P.PIT_EXIT, P.DIP_ONBOARDING, P.FRAMEWORK_ONBOARDING)


@pytest.mark.parametrize(
    ("role", "route", "expected"),
    [
        (MarketRole.SUPPLIER, Route.QT, (*QT_ENTRY_COMMON, P.TEST_DATA)),
        (MarketRole.SUPPLIER, Route.NEW_ENTRANT, (*QT_ENTRY_COMMON, P.TEST_DATA)),
        (MarketRole.LDSO, Route.QT, (*QT_ENTRY_COMMON, P.SMOKE_TEST)),
        (MarketRole.LDSO, Route.NEW_ENTRANT, (*QT_ENTRY_COMMON, P.SMOKE_TEST)),
        (MarketRole.MEM, Route.QT, QT_ENTRY_COMMON),
        (MarketRole.SDS, Route.NEW_ENTRANT, QT_ENTRY_COMMON),
        (MarketRole.ADS, Route.QT, QT_ENTRY_COMMON),
        (MarketRole.SUPPLIER, Route.SIT, (P.SIT_EXIT,)),
        (MarketRole.LDSO, Route.SIT, (P.SIT_EXIT,)),
        (MarketRole.MEM, Route.SIT, (P.SIT_EXIT,)),
    ],
)
def test_which_prerequisites_apply_to_a_participation(role, route, expected):
    assert rules.applicable(role, route) == expected
    assert rules.for_entry(role, route) + rules.for_exit(role, route) == expected
    assert (P.SIT_EXIT in rules.for_exit(role, route)) == (route == Route.SIT)


def at(case: QualificationCase, state: str) -> QualificationCase:
    # Test set-up only: jump to a state without walking the lifecycle to it.
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


def ldso_qt_case(cast) -> QualificationCase:  # type: ignore[no-untyped-def]
    system = system_actor("gate tests")
    ldso = participation_create(
        actor=system, organisation=cast.org_b, mpid="SBLQ", role=MarketRole.LDSO, route=Route.QT, distributor_ids=["14"]
    )
    return case_open(actor=system, participation=ldso, wave=cast.wave)


def reviewer_key(case: QualificationCase) -> str:
    return "admin" if case.participation.role == MarketRole.LDSO else "bsc"


def start(cast, case):  # type: ignore[no-untyped-def]
    return case_transition(actor=cast.actor(reviewer_key(case)), case=case, name="start_testing", comment="gate")


def complete(cast, case):  # type: ignore[no-untyped-def]
    return case_transition(actor=cast.actor(reviewer_key(case)), case=case, name="complete_testing", comment="gate")


# --- entering ---------------------------------------------------------------------------------------------


def entry_setup(case: QualificationCase, skip: str) -> None:
    """Meet every entry condition but ``skip``."""
    if skip != "scope":
        scoped(case)
    participation = case.participation
    kinds = tuple(k for k in rules.for_entry(participation.role, participation.route) if k != skip)
    accept_prerequisites(case, kinds)
    if skip not in ("rttm", "scope"):  # the RTTM traces the required set: no scope, no RTTM
        take_rttm(case, Gate.QT_ENTRY, participant_actor(case))


ENTRY_QT: list[tuple[str, str]] = [
    ("scope", "Scope is not confirmed"),
    (P.PIT_EXIT, "PIT exit evidence: not recorded yet"),
    (P.DIP_ONBOARDING, "DIP onboarding in the test environment: not recorded yet"),
    (P.FRAMEWORK_ONBOARDING, "Test framework and test-management tool onboarding: not recorded yet"),
    ("rttm", "The RTTM has not been taken at QT entry"),
]
SUPPLIER_ENTRY = [*ENTRY_QT, (P.TEST_DATA, "Test data loaded (test MPANs and market data): not recorded yet")]
LDSO_ENTRY = [*ENTRY_QT, (P.SMOKE_TEST, "Smoke test (LDSOs): not recorded yet")]


@pytest.mark.parametrize(("skip", "message"), SUPPLIER_ENTRY, ids=[k for k, _ in SUPPLIER_ENTRY])
def test_a_supplier_cannot_start_testing_without_each_entry_condition(cast, skip, message):
    case = at(cast.case_a, CaseState.INITIAL_QAD_SUBMITTED)
    entry_setup(case, skip)
    with pytest.raises(TransitionNotAllowed, match=re.escape(message)):
        start(cast, case)
    entry_setup(case, "")
    assert start(cast, case).state == CaseState.TESTING


@pytest.mark.parametrize(("skip", "message"), LDSO_ENTRY, ids=[k for k, _ in LDSO_ENTRY])
def test_an_ldso_cannot_start_testing_without_each_entry_condition(cast, skip, message):
    case = at(ldso_qt_case(cast), CaseState.INITIAL_QAD_SUBMITTED)
    entry_setup(case, skip)
    with pytest.raises(TransitionNotAllowed, match=re.escape(message)):
        start(cast, case)
    entry_setup(case, "")
    assert start(cast, case).state == CaseState.TESTING


def test_the_initial_qad_is_listed_until_submitted(cast):
    case = at(cast.case_a, CaseState.PIT)
    assert {c.key: c.met for c in entry_conditions(case)}["initial_qad"] is False
    assert {c.key: c.met for c in entry_conditions(at(case, CaseState.INITIAL_QAD_SUBMITTED))}["initial_qad"] is True


def test_a_sit_route_case_starts_testing_without_qt_prerequisites(cast):
    case = at(cast.case_a_mem, CaseState.INITIAL_QAD_SUBMITTED)
    assert [c.key for c in entry_conditions(case)] == ["initial_qad"]
    assert start(cast, case).state == CaseState.TESTING


def test_a_prerequisite_awaiting_acceptance_or_sent_back_is_named(cast):
    case = at(cast.case_a, CaseState.INITIAL_QAD_SUBMITTED)
    entry_setup(case, P.DIP_ONBOARDING)
    lead = cast.actor("lead_a")
    record = prerequisite_record(actor=lead, case=case, kind=P.DIP_ONBOARDING, completed_on=dt.date(2026, 11, 2))
    with pytest.raises(TransitionNotAllowed, match="DIP onboarding in the test environment: recorded, awaiting"):
        start(cast, case)
    prerequisite_send_back(actor=cast.actor("bsc"), record=record, comment="No DIP certificate attached")
    with pytest.raises(TransitionNotAllowed, match=r"sent back \(No DIP certificate attached\)"):
        start(cast, case)
    again = prerequisite_record(actor=lead, case=case, kind=P.DIP_ONBOARDING, completed_on=dt.date(2026, 11, 3))
    assert again.pk == record.pk and again.state == PrerequisiteState.RECORDED and again.review_comment == ""
    prerequisite_accept(actor=cast.actor("bsc"), record=again)
    assert start(cast, case).state == CaseState.TESTING


def test_recording_again_asks_for_acceptance_afresh(cast):
    case = cast.case_a
    lead = cast.actor("lead_a")
    record = prerequisite_record(actor=lead, case=case, kind=P.PIT_EXIT, completed_on=dt.date(2026, 11, 2))
    prerequisite_accept(actor=cast.actor("rec"), record=record)
    again = prerequisite_record(actor=lead, case=case, kind=P.PIT_EXIT, completed_on=dt.date(2026, 11, 4), note="v2")
    assert (again.state, again.completed_on, again.note) == (PrerequisiteState.RECORDED, dt.date(2026, 11, 4), "v2")
    assert PrerequisiteRecord.objects.filter(case=case).count() == 1


def test_who_records_and_who_accepts(cast):
    ldso = ldso_qt_case(cast)
    with pytest.raises(NotAllowed):
        prerequisite_record(
            actor=cast.actor("bsc"), case=cast.case_a, kind=P.PIT_EXIT, completed_on=dt.date(2026, 11, 2)
        )
    with pytest.raises(NotAllowed):
        prerequisite_record(
            actor=cast.actor("viewer_a"), case=cast.case_a, kind=P.PIT_EXIT, completed_on=dt.date(2026, 11, 2)
        )
    record = prerequisite_record(
        actor=cast.actor("contributor_a"), case=cast.case_a, kind=P.PIT_EXIT, completed_on=dt.date(2026, 11, 2)
    )
    with pytest.raises(NotAllowed):
        prerequisite_accept(actor=cast.actor("lead_a"), record=record)
    smoke = prerequisite_record(
        actor=cast.actor("lead_b"), case=ldso, kind=P.SMOKE_TEST, completed_on=dt.date(2026, 11, 2)
    )
    with pytest.raises(NotAllowed, match="Programme's test manager"):
        prerequisite_accept(actor=cast.actor("bsc"), record=smoke)
    assert prerequisite_accept(actor=cast.actor("admin"), record=smoke).state == PrerequisiteState.ACCEPTED


def test_a_prerequisite_of_another_route_or_in_the_future_is_refused(cast):
    lead = cast.actor("lead_a")
    with pytest.raises(ValidationFailed, match="not a prerequisite"):
        prerequisite_record(actor=lead, case=cast.case_a, kind=P.SIT_EXIT, completed_on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationFailed, match="not a prerequisite"):
        prerequisite_record(actor=lead, case=cast.case_a, kind=P.SMOKE_TEST, completed_on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationFailed, match="future"):
        prerequisite_record(actor=lead, case=cast.case_a, kind=P.PIT_EXIT, completed_on=dt.date(2099, 1, 1))


# --- leaving ----------------------------------------------------------------------------------------------


def in_testing(cast, case):  # type: ignore[no-untyped-def]
    case = at(case, CaseState.INITIAL_QAD_SUBMITTED)
    satisfy_testing_gates(case, exit=False)
    return start(cast, case)


def agreed_finding(case: QualificationCase, reference: str, state: str = FindingState.PLAN_AGREED) -> Finding:
    return Finding.objects.create(
        reference=reference,
        case=case,
        body="BSC",
        title="Work off a defect",
        description="Found in testing.",
        owner="Test lead",
        due_date=dt.date(2027, 3, 1),
        state=state,
        raised_by_name="BSC assessor",
    )


def defect(case: QualificationCase, reference: str, test_case: str, finding: Finding | None = None) -> Defect:
    return Defect.objects.create(
        reference=reference,
        case=case,
        test_case_id=test_case,
        title="Rejects a valid message",
        owner="Test lead",
        raised_on=dt.date(2026, 11, 20),
        raised_by_name="Tester",
        finding=finding,
    )


def _fail_one(case: QualificationCase) -> None:
    scope_required = scoped(case).required
    execution_record(actor=participant_actor(case), case=case, test_case_id=scope_required[0], status="FAILED")


def _drop_report(case: QualificationCase) -> None:
    CompletionReport.objects.filter(case=case).delete()


def _uncovered_defect(case: QualificationCase) -> None:
    defect(case, "DEF-T9", "", agreed_finding(case, "FND-T9", FindingState.PLAN_PROPOSED))


EXIT_QT: list[tuple[str, Callable[[QualificationCase], None], str]] = [
    ("failed case", _fail_one, r"1 of \d+ required test case\(s\) not passed.*QT-\d+ \(failed\)"),
    ("no report", _drop_report, "No Test Completion Report is submitted yet"),
    ("defect without plan", _uncovered_defect, "1 open defect\\(s\\) without an agreed work-off plan: DEF-T9"),
]


@pytest.mark.parametrize(("what", "spoil", "message"), EXIT_QT, ids=[w for w, _, _ in EXIT_QT])
@pytest.mark.parametrize("who", ["supplier", "ldso"])
def test_a_qt_case_cannot_complete_testing_until_each_exit_condition_is_met(cast, who, what, spoil, message):
    case = in_testing(cast, cast.case_a if who == "supplier" else ldso_qt_case(cast))
    satisfy_testing_gates(case, entry=False)
    spoil(case)
    with pytest.raises(TransitionNotAllowed, match=message):
        complete(cast, case)
    CompletionReport.objects.filter(case=case).delete()
    Defect.objects.filter(case=case).delete()
    Finding.objects.filter(case=case).delete()
    satisfy_testing_gates(case, entry=False)
    assert complete(cast, case).state == CaseState.TESTING_COMPLETE


def test_nothing_run_names_the_first_cases_and_the_count(cast):
    case = in_testing(cast, cast.case_a)
    required = sorted(scoped(case).required)
    conditions = {c.key: c for c in exit_conditions(case)}
    message = conditions["required_cases"].message
    assert f"{len(required)} of {len(required)} required" in message
    assert ", ".join(f"{t} (not run)" for t in required[:5]) in message
    if len(required) > 5:
        assert f"and {len(required) - 5} more" in message
    assert "The RTTM has not been taken at QT exit" in conditions["rttm:QT_EXIT"].message
    with pytest.raises(TransitionNotAllowed, match="Completing testing needs"):
        complete(cast, case)


def test_a_failed_case_covered_by_an_agreed_work_off_plan_may_leave(cast):
    case = in_testing(cast, cast.case_a)
    satisfy_testing_gates(case, entry=False)
    failed = scoped(case).required[0]
    execution_record(actor=participant_actor(case), case=case, test_case_id=failed, status=ExecutionStatus.FAILED)
    defect(case, "DEF-T1", failed, agreed_finding(case, "FND-T1"))
    assert complete(cast, case).state == CaseState.TESTING_COMPLETE


def test_not_applicable_counts_once_accepted(cast):
    case = in_testing(cast, cast.case_a)
    satisfy_testing_gates(case, entry=False)
    first = scoped(case).required[0]
    run = execution_record(
        actor=participant_actor(case), case=case, test_case_id=first, status="NOT_APPLICABLE", not_applicable_reason="x"
    )
    with pytest.raises(TransitionNotAllowed, match=rf"{first} \(not applicable, not yet accepted\)"):
        complete(cast, case)
    type(run).objects.filter(pk=run.pk).update(assurance="ACCEPTED")  # test set-up: assurance is another part of QT
    assert complete(cast, case).state == CaseState.TESTING_COMPLETE


def test_a_sit_case_leaves_testing_on_its_own_rules(cast):
    case = in_testing(cast, cast.case_a_mem)
    with pytest.raises(TransitionNotAllowed, match="SIT exit evidence: not recorded yet"):
        complete(cast, case)
    accept_prerequisites(case, (P.SIT_EXIT,), reviewer=reviewer_actor(case))
    agreed_finding(case, "FND-S1", FindingState.OPEN)
    with pytest.raises(TransitionNotAllowed, match="1 open finding\\(s\\) without an agreed work-off plan: FND-S1"):
        complete(cast, case)
    Finding.objects.filter(reference="FND-S1").update(state=FindingState.PLAN_AGREED)
    assert [c.key for c in exit_conditions(case)] == [f"prerequisite:{P.SIT_EXIT}", "findings"]
    assert complete(cast, case).state == CaseState.TESTING_COMPLETE


def test_who_confirms_testing_complete(cast):
    case = in_testing(cast, cast.case_a)
    satisfy_testing_gates(case, entry=False)
    with pytest.raises(NotAllowed):
        case_transition(actor=cast.actor("lead_a"), case=case, name="complete_testing")
    ldso = in_testing(cast, ldso_qt_case(cast))
    satisfy_testing_gates(ldso, entry=False)
    with pytest.raises(NotAllowed, match="Programme's test manager"):
        case_transition(actor=cast.actor("bsc"), case=ldso, name="complete_testing", comment="done")
    assert complete(cast, case).state == CaseState.TESTING_COMPLETE


def test_a_final_qad_cannot_be_submitted_before_the_case_leaves_testing(cast):
    case = in_testing(cast, cast.case_a)
    with pytest.raises(TransitionNotAllowed, match="not possible while the qualification case is testing"):
        case_transition(actor=cast.actor("lead_a"), case=case, name="submit_final_qad")
