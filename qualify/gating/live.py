"""The gating context for requests: built from the database once, reused until the register changes.

The HTTP decisions endpoint answers batches of up to 10,000 events; rebuilding the register table for each batch
would dominate its time. The context is keyed by the register's change marker (register sequence, participations,
distributor ids, milestones), checked with one query per request, so a decision never uses stale data.

A decision re-run as known at a past instant (``known_at``, issue 11) reads the database afresh each time
(``load_gating_context(known_at=...)``): such questions are rare, and a context keyed by an arbitrary instant would
only fill the process with copies.
"""

from __future__ import annotations

import datetime as dt
import threading

from qualify.gating.engine import GatingContext
from qualify.gating.loading import load_gating_context
from qualify.register.snapshot import change_marker

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], GatingContext] | None = None


def current_context() -> GatingContext:
    global _cached
    marker = change_marker()
    cached = _cached
    if cached is not None and cached[0] == marker:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != marker:
            _cached = (marker, load_gating_context())
        return _cached[1]


def context_for(known_at: dt.datetime | None) -> GatingContext:
    """The context now (cached), or as the register and the plan stood at ``known_at`` (read afresh)."""
    return current_context() if known_at is None else load_gating_context(known_at=known_at)
