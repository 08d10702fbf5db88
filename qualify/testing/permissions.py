"""Who may do what with the QT test catalogue (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
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


def can_import_results(actor: Actor, case: QualificationCase) -> Decision:
    """The participant's lead or contributor imports its test results (a test tool's machine account is a contributor
    of its organisation)."""
    if actor.can_edit_for(int(case.participation.organisation_id)):
        return ALLOW
    return deny("Only the participant's lead or a contributor can import its test results.")


def can_apply_import(actor: Actor, result_import: ResultImport) -> Decision:
    """The participant's lead or contributor (or its test tool's machine account)."""
    return can_import_results(actor, result_import.case)
