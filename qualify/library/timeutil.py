"""UK local time for consultation windows: people enter dates and times as the UK sees them (DOMAIN.md §9).

Storage is UTC; a "17:00 on 30 October" closing time means 17:00 in London on that day, GMT or BST as it falls.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

DEFAULT_CLOSING_TIME = dt.time(17, 0)


def uk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def uk_datetime(day: dt.date, at: dt.time | None = None) -> dt.datetime:
    """The aware instant of a UK wall-clock time (17:00 by default). In the repeated autumn hour the first
    (summer-time) instant is meant; a time skipped in spring is read forward as the clocks do."""
    at = at or DEFAULT_CLOSING_TIME
    naive = dt.datetime.combine(day, at.replace(tzinfo=None))
    local = naive.replace(tzinfo=uk_zone(), fold=0)
    # Returned in UTC: an instant, not a wall-clock reading. (Python never finds an ambiguous or skipped local time
    # equal to any other zone's time, so keeping it local would make comparisons surprising.)
    return local.astimezone(dt.UTC)


def uk_text(moment: dt.datetime) -> str:
    """e.g. '17:00 on Fri 30 Oct 2026'."""
    local = timezone.localtime(moment, uk_zone())
    return local.strftime("%H:%M on %a %-d %b %Y")
