"""Who sees the Programme's dashboard and reports (pure functions returning a Decision; services enforce them)."""

from __future__ import annotations

from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny


def can_see_dashboard(actor: Actor) -> Decision:
    """The Programme, the Code Bodies, their decision-makers and the auditors see the whole market's progress; a
    participant sees its own cases elsewhere, and a machine client has the API's register instead."""
    if actor.sees_everything:
        return ALLOW
    return deny("The programme dashboard is for Programme and Code Body staff.")


def can_generate_report(actor: Actor) -> Decision:
    """A programme administrator generates the regulator's report; everyone who sees the dashboard may read it."""
    if actor.is_programme_admin:
        return ALLOW
    return deny("Only a programme administrator can generate the regulator's report.")
