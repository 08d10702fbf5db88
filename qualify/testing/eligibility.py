"""Who may take the new-entrant LDSO route (QA&P Annex 3; DOMAIN.md §3).

Annex 3 is open only to an LDSO that intends to start operating after M10 and before M14; an LDSO intending to
operate at (or before) M10 follows Annex 1, and one intending to operate at or after M14 follows the enduring
process for new entrants. A pure function over plain dates: the milestones' current dates are read from the plan by
the caller (``services.prequalification.annex3_dates``), so the rule is tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qualify.participants.choices import MarketRole, Route


@dataclass(frozen=True)
class Eligibility:
    """The answer: ``reason`` is empty when the participation may go on, else says why not in words."""

    allowed: bool
    reason: str = ""


OK = Eligibility(True)


def _day(value: dt.date) -> str:
    return f"{value:%d %b %Y}"


def new_entrant_eligibility(
    *, role: str, route: str, intended_operation: dt.date | None, m10: dt.date | None, m14: dt.date | None
) -> Eligibility:
    """Whether a participation may pre-qualify on the new-entrant route, given its intended operation date.

    Only the new-entrant route of an LDSO is checked; any other participation is unaffected. A milestone with no
    published date cannot be compared, so the answer names what is missing rather than guessing.
    """
    if route != Route.NEW_ENTRANT:
        return OK
    if role != MarketRole.LDSO:
        return Eligibility(False, "The new-entrant route (Annex 3) is for LDSOs only.")
    if intended_operation is None:
        return Eligibility(False, "Give the date the LDSO intends to start operating (Annex 3 depends on it).")
    if m10 is None or m14 is None:
        missing = " and ".join(code for code, date in (("M10", m10), ("M14", m14)) if date is None)
        return Eligibility(False, f"The plan has no published date for {missing}, so Annex 3 cannot be checked yet.")
    when = _day(intended_operation)
    if intended_operation <= m10:
        return Eligibility(
            False,
            f"An LDSO intending to operate on {when}, at or before M10 ({_day(m10)}), follows Annex 1, not the "
            f"new-entrant route; Annex 3 is open only between M10 ({_day(m10)}) and M14 ({_day(m14)}).",
        )
    if intended_operation >= m14:
        return Eligibility(
            False,
            f"An LDSO intending to operate on {when}, at or after M14 ({_day(m14)}), follows the enduring process "
            f"for new entrants; Annex 3 is open only between M10 ({_day(m10)}) and M14 ({_day(m14)}).",
        )
    return OK
