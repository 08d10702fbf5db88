"""The operational rule, as one pure function (DOMAIN.md §8; issue 5 states it precisely).

On date D, take a participation's register events dated on or before D, ordered by date and, within a day, by
``SAME_DAY_ORDER``. It is operational when the latest QUALIFIED/REVOKED event is a QUALIFIED, a SERVICE_ACTIVATED
comes after that QUALIFIED, and the latest SUSPENDED/REINSTATED after that QUALIFIED, if any, is a REINSTATED.

This function is the reference the vectorised gating engine is tested against; keep the two in step.

"As known at instant T" (issue 11) is the same rule over fewer events: those recorded at or before T. Callers pick
the events (``selectors.register_status_known_at``, ``gating.loading``); the rule itself never changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualify.register.choices import SAME_DAY_ORDER, RegisterEventKind, RegisterState


@dataclass(frozen=True)
class EventFact:
    kind: str
    date: dt.date


@dataclass(frozen=True)
class Status:
    on: dt.date
    state: str
    qualified_from: dt.date | None = None
    activated_on: dt.date | None = None
    suspended_on: dt.date | None = None
    revoked_on: dt.date | None = None
    deciding: tuple[EventFact, ...] = field(default_factory=tuple)

    @property
    def operational(self) -> bool:
        return self.state == RegisterState.OPERATIONAL

    @property
    def qualified(self) -> bool:
        return self.state in (RegisterState.QUALIFIED, RegisterState.OPERATIONAL, RegisterState.SUSPENDED)


def order_key(event: EventFact) -> tuple[dt.date, int]:
    return (event.date, SAME_DAY_ORDER[event.kind])


def status_on(events: Iterable[EventFact], on: dt.date) -> Status:
    history = sorted((e for e in events if e.date <= on), key=order_key)
    latest_q_or_r: EventFact | None = None
    for event in history:
        if event.kind in (RegisterEventKind.QUALIFIED, RegisterEventKind.REVOKED):
            latest_q_or_r = event
    if latest_q_or_r is None:
        return Status(on=on, state=RegisterState.NOT_QUALIFIED, deciding=tuple(history))
    if latest_q_or_r.kind == RegisterEventKind.REVOKED:
        return Status(on=on, state=RegisterState.REVOKED, revoked_on=latest_q_or_r.date, deciding=tuple(history))
    qualified = latest_q_or_r
    after = [e for e in history if order_key(e) > order_key(qualified)]
    activation = next((e for e in after if e.kind == RegisterEventKind.SERVICE_ACTIVATED), None)
    suspension_events = [e for e in after if e.kind in (RegisterEventKind.SUSPENDED, RegisterEventKind.REINSTATED)]
    latest_suspension = suspension_events[-1] if suspension_events else None
    suspended = latest_suspension is not None and latest_suspension.kind == RegisterEventKind.SUSPENDED
    if suspended:
        state = RegisterState.SUSPENDED
    elif activation is not None:
        state = RegisterState.OPERATIONAL
    else:
        state = RegisterState.QUALIFIED
    return Status(
        on=on,
        state=state,
        qualified_from=qualified.date,
        activated_on=activation.date if activation else None,
        suspended_on=latest_suspension.date if suspended and latest_suspension else None,
        deciding=tuple(history),
    )


def days_recorded_late(effective_date: dt.date, recorded_on: dt.date) -> int:
    """How many days after it took effect an event was recorded (0 or less: on time or ahead)."""
    return (recorded_on - effective_date).days


def is_backdated(effective_date: dt.date, recorded_on: dt.date, allowed_days: int) -> bool:
    """An event is back-dated when it took effect more than ``allowed_days`` before the (UK) day it was recorded.

    Such an event changes what the register said about dates already past, so it needs a reason and is flagged in
    the change feed (issue 11). ``allowed_days`` is ``QUALIFY_REGISTER_BACKDATE_DAYS``.
    """
    return days_recorded_late(effective_date, recorded_on) > allowed_days
