"""Who may do what in the library (pure functions; services enforce them, views only show or hide controls).

The first line of each docstring used in a workflow table is shown in the generated workflow documents.
"""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole


def programme(actor: Actor, obj: Any = None) -> Decision:
    """A programme administrator."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can do this.")


def governance(actor: Actor, obj: Any = None) -> Decision:
    """A board member or a programme administrator, recording a governance body's decision."""
    if actor.is_programme_admin or actor.staff_role == StaffRole.BOARD_MEMBER:
        return ALLOW
    return deny("Only a board member or a programme administrator can record governance decisions.")


def answerer(actor: Actor, obj: Any = None) -> Decision:
    """A programme administrator or a Code Body's assessor (BSC, REC, DIP), who answer comments."""
    if actor.is_programme_admin or actor.is_assessor:
        return ALLOW
    return deny("Only the Programme and the Code Bodies (BSC, REC and DIP assessors) answer comments.")


def publisher(actor: Actor, obj: Any = None) -> Decision:
    """Whoever's step publishes a later version: a governance decision, or a revised answer in a published log."""
    if governance(actor).allowed or answerer(actor).allowed:
        return ALLOW
    return deny("Only a board member, a programme administrator or a Code Body assessor can publish a document.")


def comment_editor(actor: Actor, comment: Any) -> Decision:
    """The respondent organisation's qualification lead or a contributor."""
    return can_comment_for(actor, int(comment.organisation_id))


def can_manage_library(actor: Actor) -> Decision:
    """Artefacts, versions and their files are published by the Programme."""
    return programme(actor)


def can_open_consultation(actor: Actor) -> Decision:
    return programme(actor)


def can_comment_for(actor: Actor, organisation_id: int) -> Decision:
    """A participant's lead or contributor responds for it; viewers read, staff do not respond."""
    if actor.can_edit_for(organisation_id):
        return ALLOW
    return deny("Only the organisation's qualification lead or a contributor can respond to a consultation.")


def can_answer_comments(actor: Actor) -> Decision:
    """The Programme and the Code Bodies answer comments in the consolidated comments log (DOMAIN.md §9)."""
    return answerer(actor)


def can_report_to_qwg(actor: Actor) -> Decision:
    """The Programme runs the working group and reports a consultation's outcome to it."""
    return programme(actor)


def can_record_approval(actor: Actor) -> Decision:
    return governance(actor)


def can_see_comments_log(actor: Actor) -> Decision:
    """Staff read the full log (with names); participants read their own comments and the published log."""
    if actor.is_authenticated and actor.is_staff_member:
        return ALLOW
    return deny("The consolidated comments log is for Programme and Code Body staff.")
