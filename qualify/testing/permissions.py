"""Who may do what with the QT test catalogue (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


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
