"""The gating context for requests: built from the database once, reused until what it is built from changes.

The HTTP decisions endpoint answers batches of up to 10,000 events; rebuilding the register table for each batch
would dominate its time. The context is kept with its own change marker (``core.markers``: the register sequence,
the participations and their organisations, the LDSO distributor ids and the milestones), checked with one query
per request, so a decision never uses stale data.

A decision re-run as known at a past instant (``known_at``, issue 11) reads the database afresh each time
(``load_gating_context(known_at=...)``): such questions are rare, and a context keyed by an arbitrary instant would
only fill the process with copies.
"""

from __future__ import annotations

import datetime as dt

from qualify.core.markers import KeptUntilChanged, highest, latest, marker_sql, read_marker, row_count
from qualify.gating.engine import GatingContext
from qualify.gating.loading import load_gating_context
from qualify.participants.models import DistributorId, MarketParticipation, Organisation
from qualify.plan.models import Milestone
from qualify.register.models import RegisterSequence

MARKER_SQL = marker_sql(
    (
        highest(RegisterSequence, "last_seq"),
        row_count(MarketParticipation),
        latest(MarketParticipation),
        latest(Organisation),
        row_count(DistributorId),
        row_count(Milestone),
        latest(Milestone),
    )
)

_context: KeptUntilChanged[tuple[object, ...], GatingContext] = KeptUntilChanged()


def change_marker() -> tuple[object, ...]:
    """A value that moves whenever the register, the participations, the LDSO map or the milestones change."""
    return read_marker(MARKER_SQL)


def current_context() -> GatingContext:
    return _context.get(change_marker(), load_gating_context)


def context_for(known_at: dt.datetime | None) -> GatingContext:
    """The context now (cached), or as the register and the plan stood at ``known_at`` (read afresh)."""
    return current_context() if known_at is None else load_gating_context(known_at=known_at)
