"""The case lifecycle, exhaustively: every transition from every state, and who may take each one.

The expectations are written out here independently of qualify/cases/workflow.py, so a change to the table that is
not also a deliberate change to these expectations fails.
"""

from __future__ import annotations

import datetime as dt

import pytest

from qualify.audit.models import AuditEvent
from qualify.cases.choices import CaseState
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.cases.services import case_assign_wave, case_transition
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.plan.services import wave_upsert
from qualify.register.models import RegisterEvent

S = CaseState
PRE = [
    S.DRAFT,
    S.PREQUAL_SUBMITTED,
    S.SCOPED,
    S.PIT,
    S.INITIAL_QAD_SUBMITTED,
    S.INITIAL_CLARIFICATION,
    S.TESTING,
    S.TESTING_COMPLETE,
    S.FINAL_QAD_SUBMITTED,
    S.FINAL_CLARIFICATION,
    S.AGREED,
    S.SIGNED,
    S.AWAITING_APPROVAL,
]

# Resuming returns a case to the state it left when it was deferred (checked from every such state below).
RETURNS = "the state it was deferred from"

# transition -> (states it may leave from, state it reaches)
EXPECTED: dict[str, tuple[set[str], str]] = {
    "submit_prequalification": ({S.DRAFT}, S.PREQUAL_SUBMITTED),
    "scope": ({S.DRAFT, S.PREQUAL_SUBMITTED}, S.SCOPED),
    "open_requalification": ({S.DRAFT}, S.SCOPED),
    "start_pit": ({S.SCOPED}, S.PIT),
    "submit_initial_qad": ({S.PIT}, S.INITIAL_QAD_SUBMITTED),
    "query_initial_qad": ({S.INITIAL_QAD_SUBMITTED}, S.INITIAL_CLARIFICATION),
    "answer_initial_clarification": ({S.INITIAL_CLARIFICATION}, S.INITIAL_QAD_SUBMITTED),
    "start_testing": ({S.INITIAL_QAD_SUBMITTED}, S.TESTING),
    "complete_testing": ({S.TESTING}, S.TESTING_COMPLETE),
    "submit_final_qad": ({S.TESTING_COMPLETE}, S.FINAL_QAD_SUBMITTED),
    "resubmit_final_qad": ({S.AGREED, S.SIGNED, S.AWAITING_APPROVAL}, S.FINAL_QAD_SUBMITTED),
    "query_final_qad": ({S.FINAL_QAD_SUBMITTED}, S.FINAL_CLARIFICATION),
    "answer_final_clarification": ({S.FINAL_CLARIFICATION}, S.FINAL_QAD_SUBMITTED),
    "agree": ({S.FINAL_QAD_SUBMITTED}, S.AGREED),
    "sign": ({S.AGREED}, S.SIGNED),
    "send_for_approval": ({S.SIGNED}, S.AWAITING_APPROVAL),
    "approve": ({S.AWAITING_APPROVAL}, S.QUALIFIED),
    "refer_back": ({S.AWAITING_APPROVAL}, S.FINAL_CLARIFICATION),
    "start_service_activation": ({S.QUALIFIED}, S.SERVICE_ACTIVATION),
    "activate": ({S.SERVICE_ACTIVATION}, S.ACTIVE),
    "suspend": ({S.ACTIVE}, S.SUSPENDED),
    "reinstate": ({S.SUSPENDED}, S.ACTIVE),
    "revoke": ({S.QUALIFIED, S.SERVICE_ACTIVATION, S.ACTIVE, S.SUSPENDED}, S.REVOKED),
    "withdraw": (set(PRE), S.WITHDRAWN),
    "defer": (set(PRE), S.DEFERRED),
    "resume": ({S.DEFERRED}, RETURNS),
    "record_non_completion": (set(PRE), S.NON_COMPLETION),
    "accept_remediation": ({S.NON_COMPLETION}, RETURNS),
}

# transition -> the cast members (besides the programme administrator) who may take it
# The approving bodies' own decision-makers, for the Supplier case under test (DIP Manager, BSC PAB and REC all
# approve Suppliers); a programme administrator records no body's decision.
DECIDERS = {"board", "dip_decider", "rec_decider"}
BOARD_STEPS = {"approve", "refer_back", "suspend", "reinstate", "revoke"}
MAY: dict[str, set[str]] = {
    "submit_prequalification": {"lead_a"},
    # A Code Body assessor confirms scope (set by qualify/testing/apps.py); the Programme no longer does.
    "scope": {"bsc", "rec", "dip"},
    "open_requalification": set(),
    "start_pit": {"lead_a"},
    "submit_initial_qad": {"lead_a", "contributor_a"},
    "query_initial_qad": {"bsc", "rec", "dip"},
    "answer_initial_clarification": {"lead_a"},
    "start_testing": {"bsc", "rec", "dip"},
    "complete_testing": {"bsc", "rec", "dip"},
    "submit_final_qad": {"lead_a"},
    "resubmit_final_qad": {"lead_a"},
    "query_final_qad": {"bsc", "rec", "dip"},
    "answer_final_clarification": {"lead_a"},
    "agree": {"bsc", "rec", "dip"},
    "sign": set(),
    "send_for_approval": set(),
    "approve": DECIDERS,
    "refer_back": DECIDERS,
    "start_service_activation": set(),
    "activate": set(),
    "suspend": DECIDERS,
    "reinstate": DECIDERS,
    "revoke": DECIDERS,
    "withdraw": {"lead_a"},
    "defer": set(),
    "resume": set(),
    "record_non_completion": set(),
    "accept_remediation": set(),
}
# Steps nobody takes by hand, not even the Programme: ``sign`` is taken only by the invited director declaring on the
# Final QAD (qad.declarations.declaration_make), tested with the QAD.
# ``open_requalification`` is taken only by the platform when the Code Bodies' assessments of a disclosed change
# require re-qualification (changes.services), tested with the changes app.
NOBODY_BY_HAND = {"sign", "open_requalification"}
EVERYONE = [
    "dip_decider",
    "rec_decider",
    "qag",
    "lead_a",
    "contributor_a",
    "viewer_a",
    "lead_b",
    "bsc",
    "rec",
    "dip",
    "board",
    "auditor",
    "machine",
]


@pytest.fixture(autouse=True)
def _the_case_table_alone(monkeypatch):
    """These tests exercise the case table itself. Preconditions that higher apps add (the QAD app requires a
    submitted snapshot for submit_initial_qad, say) are tested where they are added."""
    monkeypatch.setattr(CASE_WORKFLOW, "_extra_guards", {})


def force_state(case: QualificationCase, state: str) -> QualificationCase:
    # Test set-up only: jump straight to a state without walking the path to it.
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


def later_wave(code: str = "W2", sequence: int = 2):  # type: ignore[no-untyped-def]
    return wave_upsert(actor=system_actor("case tests"), code=code, name=f"Wave {sequence}", sequence=sequence)


def deferred_from(cast, case: QualificationCase, state: str) -> QualificationCase:  # type: ignore[no-untyped-def]
    """The case in ``state`` (forced), then deferred by the Programme and moved to a later wave."""
    admin = cast.actor("admin")
    case = case_transition(actor=admin, case=force_state(case, state), name="defer", comment="not ready")
    return case_assign_wave(actor=admin, case=case, wave=later_wave(), reason="deferred to wave 2")


def non_completed_from(cast, case: QualificationCase, state: str) -> QualificationCase:  # type: ignore[no-untyped-def]
    """The case in ``state`` (forced), then put into non-completion by the Programme (Annex 4)."""
    admin = cast.actor("admin")
    return case_transition(actor=admin, case=force_state(case, state), name="record_non_completion", comment="late")


def test_resolving_non_completion_returns_the_case_to_where_it_was(cast, monkeypatch):
    # The case table alone: the oversight app's record (opened by an effect, tested there) is left out.
    monkeypatch.setattr(CASE_WORKFLOW, "_effects", {})
    for state in (S.PIT, S.TESTING, S.AWAITING_APPROVAL):
        case = non_completed_from(cast, cast.case_a, state)
        assert case.state == S.NON_COMPLETION
        resumed = case_transition(actor=cast.actor("admin"), case=case, name="accept_remediation", comment="plan ok")
        assert resumed.state == state


def test_the_table_under_test_is_the_expected_table():
    assert {t.name for t in CASE_WORKFLOW.transitions} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("state", [s.value for s in CaseState])
def test_every_transition_from_every_state(cast, name, state):
    sources, target = EXPECTED[name]
    # A non-SIT case with a wave satisfies every guard except "SIT scopes from draft", which the SIT case covers.
    case = cast.case_a_mem if (name == "scope" and state == S.DRAFT) else cast.case_a
    force_state(case, state)
    admin = cast.actor("board" if name in BOARD_STEPS else "bsc" if name == "scope" else "admin")
    kwargs = {"comment": "by hand in a test", "effective_date": dt.date(2026, 1, 5)}
    if state in sources and name in NOBODY_BY_HAND:
        with pytest.raises(NotAllowed):
            case_transition(actor=admin, case=case, name=name, **kwargs)
        assert not CaseTransition.objects.filter(case=case).exists()
    elif state in sources:
        if target == RETURNS and name == "accept_remediation":
            case, target = non_completed_from(cast, case, S.PIT), S.PIT
        elif target == RETURNS:
            case, target = deferred_from(cast, case, S.PIT), S.PIT
        before = set(CaseTransition.objects.filter(case=case).values_list("pk", flat=True))
        moved = case_transition(actor=admin, case=case, name=name, **kwargs)
        assert moved.state == target
        recorded = CaseTransition.objects.exclude(pk__in=before).get(case=case)
        assert (recorded.from_state, recorded.to_state, recorded.actor_name) == (
            state,
            target,
            admin.display_name,
        )
        assert AuditEvent.objects.filter(action=f"cases.qualificationcase.{name}", object_id=str(case.uuid)).exists()
    else:
        # Permission is settled before the state (a refusal must not reveal the state to someone without it).
        with pytest.raises(NotAllowed if name in NOBODY_BY_HAND else TransitionNotAllowed):
            case_transition(actor=admin, case=case, name=name, **kwargs)
        case.refresh_from_db()
        assert case.state == state
        assert not CaseTransition.objects.filter(case=case).exists()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_the_right_people_may_take_each_transition(cast, name):
    sources, _ = EXPECTED[name]
    start = next(s for s in PRE + list(CaseState) if s in sources and not (name == "scope" and s == S.DRAFT))
    for key in EVERYONE:
        case = force_state(cast.case_a, start)
        actor = cast.actor(key)
        kwargs = {"comment": "reason given", "effective_date": dt.date(2026, 1, 5)}
        if key in MAY[name]:
            assert case_transition(actor=actor, case=case, name=name, **kwargs).state != start, key
        else:
            with pytest.raises(NotAllowed):
                case_transition(actor=actor, case=case, name=name, **kwargs)
            case.refresh_from_db()
            assert case.state == start, key


@pytest.mark.parametrize("name", sorted(BOARD_STEPS))
def test_programme_cannot_take_an_approving_bodys_decision_step(cast, name):
    sources, _ = EXPECTED[name]
    case = force_state(cast.case_a, sorted(sources)[0])
    with pytest.raises(NotAllowed, match="decision-maker"):
        case_transition(
            actor=cast.actor("admin"), case=case, name=name, comment="x", effective_date=dt.date(2026, 1, 5)
        )


def test_a_body_that_does_not_approve_the_role_cannot_suspend_it(cast):
    # A MEM is approved by the DIP Manager and the REC Code Manager: the BSC PAB has no say over it.
    case = force_state(cast.case_a_mem, S.ACTIVE)
    kwargs = {"comment": "x", "effective_date": dt.date(2026, 1, 5)}
    with pytest.raises(NotAllowed, match="not approved by your body"):
        case_transition(actor=cast.actor("board"), case=case, name="suspend", **kwargs)
    assert case_transition(actor=cast.actor("rec_decider"), case=case, name="suspend", **kwargs).state == S.SUSPENDED


def test_sit_participant_is_scoped_without_prequalification(cast):
    with pytest.raises(TransitionNotAllowed, match="SIT-route"):
        case_transition(actor=cast.actor("admin"), case=cast.case_a_mem, name="submit_prequalification", comment="x")
    assert case_transition(actor=cast.actor("rec"), case=cast.case_a_mem, name="scope", comment="SIT").state == S.SCOPED


def test_non_sit_participant_cannot_be_scoped_before_prequalification(cast):
    with pytest.raises(TransitionNotAllowed, match="pre-qualification"):
        case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="too early")


def test_scoping_needs_a_wave(cast):
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(wave=None, state=S.PREQUAL_SUBMITTED)
    cast.case_a.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="wave"):
        case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="no wave")


def test_staff_moving_a_case_by_hand_must_give_a_reason(cast):
    with pytest.raises(ValidationFailed, match="reason"):
        case_transition(actor=cast.actor("admin"), case=cast.case_a, name="submit_prequalification")
    # the participant's own lead needs no reason for its own submission
    assert (
        case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification").state
        == S.PREQUAL_SUBMITTED
    )


def test_approval_needs_an_effective_date_and_writes_the_register(cast):
    case = force_state(cast.case_a, S.AWAITING_APPROVAL)
    with pytest.raises(ValidationFailed, match="effective date"):
        case_transition(actor=cast.actor("board"), case=case, name="approve", comment="PAB 12")
    case_transition(
        actor=cast.actor("board"),
        case=case,
        name="approve",
        comment="PAB 12",
        effective_date=dt.date(2026, 3, 1),
    )
    event = RegisterEvent.objects.get(participation=cast.supplier_a)
    assert (event.kind, event.effective_date, event.reference) == (
        "QUALIFIED",
        dt.date(2026, 3, 1),
        case.reference,
    )


def test_unknown_step_is_refused_with_409(cast):
    with pytest.raises(TransitionNotAllowed) as info:
        case_transition(actor=cast.actor("admin"), case=cast.case_a, name="teleport", comment="x")
    assert info.value.status == 409


def test_a_higher_app_can_add_a_precondition_to_a_step(cast):
    def needs_evidence(case, data):
        return "Attach the PIT exit evidence first." if "evidence" not in data.comment else None

    CASE_WORKFLOW.add_guard("submit_prequalification", needs_evidence)
    try:
        with pytest.raises(TransitionNotAllowed, match="PIT exit evidence"):
            case_transition(actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification")
        moved = case_transition(
            actor=cast.actor("lead_a"), case=cast.case_a, name="submit_prequalification", comment="evidence attached"
        )
        assert moved.state == S.PREQUAL_SUBMITTED
    finally:
        CASE_WORKFLOW._extra_guards.pop("submit_prequalification", None)


# --- a deferral keeps the work done (DOMAIN.md §4) -------------------------------------------------------------------


@pytest.mark.parametrize("state", PRE)
def test_resume_returns_the_case_to_where_it_was_deferred_from(cast, state):
    case = deferred_from(cast, cast.case_a, state)
    resumed = case_transition(actor=cast.actor("admin"), case=case, name="resume", comment="wave 2 starts")
    assert resumed.state == state
    step = CaseTransition.objects.filter(case=case, name="resume").get()
    assert (step.from_state, step.to_state, step.wave.code) == (S.DEFERRED, state, "W2")


def test_resume_needs_a_later_wave_than_the_one_deferred_from(cast):
    admin = cast.actor("admin")
    case = case_transition(actor=admin, case=force_state(cast.case_a, S.TESTING), name="defer", comment="not ready")
    assert CaseTransition.objects.get(case=case, name="defer").wave.code == "W1"
    with pytest.raises(TransitionNotAllowed, match="after Wave 1"):
        case_transition(actor=admin, case=case, name="resume", comment="same wave")
    earlier = wave_upsert(actor=system_actor("case tests"), code="W0", name="Wave 0", sequence=0)
    case = case_assign_wave(actor=admin, case=case, wave=earlier, reason="earlier")
    with pytest.raises(TransitionNotAllowed, match="after Wave 1"):
        case_transition(actor=admin, case=case, name="resume", comment="earlier wave")
    case = case_assign_wave(actor=admin, case=case, wave=later_wave(), reason="later")
    assert case_transition(actor=admin, case=case, name="resume", comment="wave 2").state == S.TESTING


def test_resume_returns_to_the_latest_deferral(cast):
    admin = cast.actor("admin")
    case = deferred_from(cast, cast.case_a, S.PIT)
    case = case_transition(actor=admin, case=case, name="resume", comment="wave 2")
    case = case_transition(actor=admin, case=force_state(case, S.FINAL_CLARIFICATION), name="defer", comment="again")
    case = case_assign_wave(actor=admin, case=case, wave=later_wave("W3", 3), reason="deferred again")
    assert case_transition(actor=admin, case=case, name="resume", comment="wave 3").state == S.FINAL_CLARIFICATION


def test_a_case_with_no_recorded_deferral_cannot_resume(cast):
    case = force_state(cast.case_a, S.DEFERRED)
    with pytest.raises(TransitionNotAllowed, match="no record"):
        case_transition(actor=cast.actor("admin"), case=case, name="resume", comment="from nowhere")
    assert not CaseTransition.objects.filter(case=case).exists()
