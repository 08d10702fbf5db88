"""Who may do what in the library (pure functions; services enforce them, views only show or hide controls).

The first line of each docstring used in a workflow table is shown in the generated workflow documents.
"""

from __future__ import annotations

from typing import Any

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.roles import StaffRole
from qualify.library.choices import BODY_SHORT_NAMES, GoverningBody


def programme(actor: Actor, obj: Any = None) -> Decision:
    """A programme administrator."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can do this.")


# Each governance body's decisions are recorded by its own members (DOMAIN.md §9): QAG by QAG members, the REC PAB by
# the REC's decision-makers, the BSC PAB by its members. The Programme records none of them.
MEMBERS_OF: dict[str, str] = {
    GoverningBody.QAG: StaffRole.QAG_MEMBER,
    GoverningBody.REC_PAB: StaffRole.REC_DECISION_MAKER,
    GoverningBody.BSC_PAB: StaffRole.BSC_PAB_MEMBER,
}


def governing_body_of(actor: Actor) -> str | None:
    """The governance body whose decisions the actor records, or None."""
    return next((body for body, role in MEMBERS_OF.items() if role == actor.staff_role), None)


def governance(actor: Actor, obj: Any = None) -> Decision:
    """A member of a governance body (QAG, REC PAB or BSC PAB), recording that body's decision."""
    if governing_body_of(actor) is not None:
        return ALLOW
    return deny("Only a member of QAG, the REC PAB or the BSC PAB can record a governance decision.")


def answerer(actor: Actor, obj: Any = None) -> Decision:
    """A programme administrator or a Code Body's assessor (BSC, REC, DIP), who answer comments."""
    if actor.is_programme_admin or actor.is_assessor:
        return ALLOW
    return deny("Only the Programme and the Code Bodies (BSC, REC and DIP assessors) answer comments.")


def publisher(actor: Actor, obj: Any = None) -> Decision:
    """Whoever's step publishes a later version: a governance decision, or a revised answer in a published log."""
    if governance(actor).allowed or answerer(actor).allowed:
        return ALLOW
    return deny("Only a governance body's member, a programme administrator or a Code Body assessor can publish.")


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


def can_record_approval(actor: Actor, body: str | None = None) -> Decision:
    """A governance body's own members record its decision; without a body, whether the actor records any."""
    own = governing_body_of(actor)
    if own is not None and (body is None or own == body):
        return ALLOW
    name = BODY_SHORT_NAMES.get(body or "", "a governance body")
    return deny(f"Only {name}'s own members can record its decision.")


def can_see_comments_log(actor: Actor) -> Decision:
    """Staff read the full log (with names); participants read their own comments and the published log."""
    if actor.is_authenticated and actor.is_staff_member:
        return ALLOW
    return deny("The consolidated comments log is for Programme and Code Body staff.")
