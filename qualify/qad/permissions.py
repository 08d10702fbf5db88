"""Who may do what with a QAD (pure functions returning a Decision; services enforce them, pages show or hide)."""

from __future__ import annotations

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.qad.choices import SubmissionKind


def _org(case: QualificationCase) -> int:
    return int(case.participation.organisation_id)


def can_manage_versions(actor: Actor) -> Decision:
    """A programme administrator loads and publishes QAD versions."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can load or publish QAD versions.")


# A case closed for good (DOMAIN.md §4: withdrawn, revoked) takes no more answers or evidence.
CLOSED_STATES = frozenset({CaseState.WITHDRAWN, CaseState.REVOKED})


def can_edit_answers(actor: Actor, case: QualificationCase) -> Decision:
    """The organisation's lead or a contributor, while the case is open; staff assess answers but never write them."""
    if actor.can_edit_for(_org(case)):
        if case.state in CLOSED_STATES:
            return deny(f"The case is {case.get_state_display().lower()}: its QAD takes no more answers or evidence.")
        return ALLOW
    if actor.is_staff_member:
        return deny("Staff cannot change a participant's answers or evidence.")
    return deny("Only the organisation's qualification lead or a contributor can change its QAD.")


def can_submit(actor: Actor, case: QualificationCase, kind: str) -> Decision:
    """Initial QAD: the lead or a contributor. Final QAD: the lead (cases/workflow.py takes the same view)."""
    if kind == SubmissionKind.FINAL:
        if actor.is_lead_of(_org(case)):
            return ALLOW
        return deny("Only the organisation's qualification lead can submit the Final QAD.")
    return can_edit_answers(actor, case)


def can_invite_declarant(actor: Actor, case: QualificationCase) -> Decision:
    """The organisation's qualification lead names the director (or delegate) who is to declare."""
    if actor.is_lead_of(_org(case)):
        return ALLOW
    return deny("Only the organisation's qualification lead can invite the director to declare.")


def can_declare(actor: Actor, invitee_id: int | None) -> Decision:
    """Only the person the invitation was accepted by declares, in person, with their own account."""
    if actor.user_id is not None and actor.user_id == invitee_id and not actor.is_staff_member:
        return ALLOW
    return deny("Only the director (or delegate) the qualification lead invited can declare.")


def can_move_version(actor: Actor, case: QualificationCase) -> Decision:
    """The organisation's lead, or a programme administrator, moves a case's QAD to a newer version."""
    if actor.is_lead_of(_org(case)) or actor.is_programme_admin:
        return ALLOW
    return deny("Only the organisation's qualification lead or a programme administrator can change the QAD version.")


def can_download_evidence(actor: Actor, case: QualificationCase) -> Decision:
    """The organisation's people and the Programme's and Code Bodies' people; never a machine client."""
    if _org(case) in actor.organisation_ids:
        return ALLOW
    if actor.is_staff_member:
        return ALLOW
    return deny("Evidence is only for the organisation and its assessors.")
