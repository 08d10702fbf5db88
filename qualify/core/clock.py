"""The time the services write: now, unless the demo loader is replaying history.

Every service that stamps a row (a transition, an approval, a comment, an audit event) or checks a window against the
present (a consultation open, a decision not in the future) asks ``clock.now()`` / ``clock.today()`` rather than
``django.utils.timezone``. Outside the demo loader they are exactly ``timezone.now()`` and today's UK date.

``replaying(at)`` lets the demo loader (``qualify/demo``) build a believable past: inside it, the services act as
they would have at ``at``, so a consultation that closed in February 2024 was opened, commented on, reported to QWG
and approved on its own dates, and the histories show those dates. It is for the demo only:
``tests/test_architecture.py`` fails if any other application module imports it, and it refuses a future instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_replayed: ContextVar[dt.datetime | None] = ContextVar("qualify_clock_replayed", default=None)


def now() -> dt.datetime:
    """The current instant (aware), or the replayed one inside ``replaying``."""
    return _replayed.get() or timezone.now()


def today() -> dt.date:
    """The current date in the project's time zone (UK), or the replayed one."""
    return timezone.localdate(now())


@contextmanager
def replaying(at: dt.datetime) -> Iterator[dt.datetime]:
    """Act as at ``at`` (aware, not in the future) inside the block; the demo loader's way of recording history."""
    if timezone.is_naive(at):
        raise ValueError("A replayed instant must carry a time zone.")
    if at > timezone.now():
        raise ValueError("History cannot be replayed in the future.")
    token = _replayed.set(at)
    try:
        yield at
    finally:
        _replayed.reset(token)
