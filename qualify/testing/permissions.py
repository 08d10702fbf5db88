"""Who may do what with the QT test catalogue and a case's prerequisites (pure functions returning a Decision;
services enforce them)."""

from __future__ import annotations

from typing import Any

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole
from qualify.participants.choices import MarketRole, approvals_needed
from qualify.testing.choices import DIP_MANAGER_BATCHES
from qualify.testing.models import ResultImport


def can_manage_catalogues(actor: Actor) -> Decision:
    """A programme administrator loads, validates and publishes test catalogue versions."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can load or publish a test catalogue.")


def can_see_drafts(actor: Actor) -> Decision:
    """The Programme's and Code Bodies' staff see draft catalogues; participants see only published ones."""
    if actor.is_staff_member:
        return ALLOW
    return deny("Draft test catalogues are for the Programme and the Code Bodies.")


# --- the RTTM and the Test Completion Report (services/rttm.py, services/completion.py) ---------------------------


def can_take_rttm_snapshot(actor: Actor, organisation_id: int) -> Decision:
    """The participant's qualification lead, or a programme administrator, takes an RTTM snapshot at a gate."""
    if actor.is_lead_of(organisation_id) or actor.is_programme_admin:
        return ALLOW
    return deny("Only the organisation's qualification lead (or a programme administrator) can take an RTTM snapshot.")


def can_generate_completion_report(actor: Actor, organisation_id: int) -> Decision:
    """The participant's qualification lead or a contributor: the report's files go into its QAD's evidence."""
    if actor.can_edit_for(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can generate its Test Completion Report.")


def can_submit_completion_reports(actor: Actor, organisation_id: int) -> Decision:
    """The participant's qualification lead."""
    if actor.is_lead_of(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead can submit the Test Completion Report.")


def can_submit_completion_report(actor: Actor, report: Any) -> Decision:
    """The participant's qualification lead."""
    return can_submit_completion_reports(actor, int(report.case.participation.organisation_id))


# --- runs, defects and assurance (qt-runs) ---------------------------------------------------------------------------


def can_view_testing(actor: Actor, case: Any) -> Decision:
    """The participant's own people, and Code Body and Programme staff (market systems read the register only)."""
    if actor.sees_everything or actor.role_in(int(case.participation.organisation_id)) is not None:
        return ALLOW
    return deny("You cannot see this case.")


def can_record_runs(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    if actor.can_edit_for(int(case.participation.organisation_id)):
        return ALLOW
    if actor.is_staff_member:
        return deny("Staff assure test runs; the participant records them.")
    return deny("Only the participant's qualification lead or a contributor can record test runs and defects.")


def defect_editor(actor: Actor, defect: Any) -> Decision:
    """The participant's qualification lead or a contributor."""
    return can_record_runs(actor, defect.case)


# Who assures a run (DOMAIN.md §10a): the DIP Manager for its batches, the Programme's test manager for an LDSO's
# other runs (the PROGRAMME_ADMIN role stands for the test manager), and otherwise the Code Bodies approving the role.
ASSURER_DIP = "DIP"
ASSESSOR_BODIES: dict[str, str] = {StaffRole.BSC_ASSESSOR: "BSC", StaffRole.REC_ASSESSOR: "REC"}
ASSURER_PROGRAMME = "PROGRAMME"
ASSURER_CODE_BODY = "CODE_BODY"
ASSURER_NAMES = {
    ASSURER_DIP: "the DIP Manager",
    ASSURER_PROGRAMME: "the Programme's test manager",
    ASSURER_CODE_BODY: "the BSC or REC",
}


def assurer_of(role: str, batch: str) -> str:
    """Who assures a run of ``batch`` for a participation in ``role``."""
    if batch in DIP_MANAGER_BATCHES:
        return ASSURER_DIP
    if role == MarketRole.LDSO:
        return ASSURER_PROGRAMME
    return ASSURER_CODE_BODY


def assuring_body(actor: Actor, role: str, batch: str) -> str | None:
    """The body the actor assures a run for (DIP, PROGRAMME, BSC or REC), or None when it is not theirs to assure."""
    who = assurer_of(role, batch)
    if who == ASSURER_DIP:
        return "DIP" if actor.staff_role == StaffRole.DIP_ASSESSOR else None
    if who == ASSURER_PROGRAMME:
        return "PROGRAMME" if actor.is_programme_admin else None
    body = ASSESSOR_BODIES.get(actor.staff_role)
    return body if body is not None and body in approvals_needed(role) else None


def run_assurer(actor: Actor, execution: Any) -> Decision:
    """The DIP Manager (DIP and non-functional batches), the Programme's test manager (an LDSO's other runs), or the
    BSC or REC assessors (everyone else's)."""
    role = str(execution.case.participation.role)
    if assuring_body(actor, role, execution.batch) is not None:
        return ALLOW
    return deny(f"Runs of this test case are assured by {ASSURER_NAMES[assurer_of(role, execution.batch)]}.")


def assures_any(actor: Actor) -> bool:
    """Whether the actor assures anyone's runs (to show the assurance queue)."""
    return actor.staff_role in (
        StaffRole.DIP_ASSESSOR,
        StaffRole.BSC_ASSESSOR,
        StaffRole.REC_ASSESSOR,
        StaffRole.PROGRAMME_ADMIN,
    )


def can_import_results(actor: Actor, case: QualificationCase) -> Decision:
    """The participant's lead or contributor imports its test results (a test tool's machine account is a contributor
    of its organisation)."""
    if actor.can_edit_for(int(case.participation.organisation_id)):
        return ALLOW
    return deny("Only the participant's lead or a contributor can import its test results.")


def can_apply_import(actor: Actor, result_import: ResultImport) -> Decision:
    """The participant's lead or contributor (or its test tool's machine account)."""
    return can_import_results(actor, result_import.case)


# --- pre-qualification, Placing Reliance and scoping (Annexes 1 to 3) -------------------------------------------

# Which Code Body each assessor speaks for (the qad.choices.Body codes; assessment.choices.BODY_OF_ROLE agrees).
ASSESSOR_BODY: dict[str, str] = {
    StaffRole.BSC_ASSESSOR: "BSC",
    StaffRole.REC_ASSESSOR: "REC",
    StaffRole.DIP_ASSESSOR: "DIP",
}


def assessor_body(actor: Actor) -> str | None:
    """The Code Body the actor assesses for, or None."""
    return ASSESSOR_BODY.get(actor.staff_role)


def _org(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_edit_prequalification(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead fills in and submits the pre-qualification form; others read it."""
    if actor.is_lead_of(_org(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can fill in or submit its pre-qualification.")


def can_draft_reliance(actor: Actor, case: Any) -> Decision:
    """The participant's qualification lead drafts, proposes and withdraws Placing Reliance proposals."""
    if actor.is_lead_of(_org(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can draft, propose or withdraw a reliance proposal.")


def can_decide_reliance(actor: Actor, proposal: Any) -> Decision:
    """An assessor of a Code Body the proposal goes to records that body's decision."""
    body = assessor_body(actor)
    if body is None:
        return deny("Only a Code Body assessor can decide on a reliance proposal.")
    if body not in proposal.bodies:
        return deny(f"The proposal does not go to the {body}: it is for {', '.join(proposal.bodies)}.")
    return ALLOW


def may_decide_reliance(actor: Actor, proposal: Any) -> Decision:
    """A Code Body assessor of a body the proposal goes to."""
    return can_decide_reliance(actor, proposal)


def may_draft_reliance(actor: Actor, proposal: Any) -> Decision:
    """The participant's qualification lead."""
    return can_draft_reliance(actor, proposal.case)


def may_confirm_scope(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor (BSC, REC or DIP Manager)."""
    if assessor_body(actor) is not None:
        return ALLOW
    return deny("Only a Code Body assessor can confirm a case's scope.")


def can_rescope(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor re-scopes a case already scoped (before its Final QAD), with a reason."""
    return may_confirm_scope(actor, case)


def _org_id(case: Any) -> int:
    return int(case.participation.organisation_id)


def can_record_prerequisite(actor: Actor, case: Any) -> Decision:
    """The case organisation's qualification lead or a contributor records a prerequisite and its evidence."""
    if actor.can_edit_for(_org_id(case)):
        return ALLOW
    if actor.is_staff_member:
        return deny("Prerequisites are recorded by the participant; staff accept them or send them back.")
    return deny("Only the organisation's qualification lead or a contributor can record a prerequisite.")


def can_review_prerequisite(actor: Actor, case: Any) -> Decision:
    """A Code Body assessor; for an LDSO, the Programme's test manager (a programme administrator)."""
    if case.participation.role == MarketRole.LDSO:
        if actor.is_programme_admin:
            return ALLOW
        return deny("An LDSO's prerequisites are accepted by the Programme's test manager.")
    if actor.is_assessor:
        return ALLOW
    return deny("Only a Code Body assessor can accept a prerequisite or send it back.")
