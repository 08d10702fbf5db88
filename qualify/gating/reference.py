"""The gating rules written plainly, one event at a time, straight on ``status_on`` (issue 5; DOMAIN.md §8).

This is the yardstick the vectorised ``engine`` is property-tested against, and the readable statement of the
rules; the decisions taken where the issue is silent are listed in ``qualify.gating.engine``'s docstring. Never use
it for bulk work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qualify.gating.choices import DATA_SERVICE_ROLE, EventKind, Role, Segment, Settlement, gsp_group_of
from qualify.gating.engine import MPAN_WEIGHTS, MigrationCalendar
from qualify.gating.reasons import (
    DETAIL_NO_LDSO,
    DETAIL_NO_SUPPLIER,
    DETAIL_NOT_ON_REGISTER,
    Outcome,
    Reason,
    detail_other_roles,
    join_reasons,
    outcome_for,
)
from qualify.register.rules import EventFact, status_on


@dataclass(frozen=True)
class GateEvent:
    ref: str
    kind: str
    mpan: str | None
    date: dt.date
    segment: str
    supplier: str | None = None
    mem: str | None = None
    data_service: str | None = None
    settlement: str = Settlement.LEGACY


@dataclass(frozen=True)
class Decision:
    ref: str
    outcome: Outcome
    reasons: frozenset[Reason]
    gsp_group: str | None = None
    details: tuple[str, ...] = ()

    @property
    def reasons_text(self) -> str:
        return join_reasons(self.reasons)


def mpan_is_valid(mpan: str | None) -> bool:
    """13 ASCII digits whose last is the check digit of the first twelve (DOMAIN.md §8)."""
    if mpan is None or len(mpan) != 13 or not all("0" <= c <= "9" for c in mpan):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(mpan[:12], MPAN_WEIGHTS, strict=True))
    return total % 11 % 10 == int(mpan[12])


def decide_event(
    event: GateEvent,
    *,
    histories: Mapping[tuple[str, str], Sequence[EventFact]],
    ldso_by_distributor: Mapping[str, str],
    calendar: MigrationCalendar,
) -> Decision:
    reasons: set[Reason] = set()
    details: list[str] = []
    roles_held = {mpid: [role for role in Role if (mpid, role) in histories] for mpid, _ in histories}

    def check(mpid: str | None, role: Role, not_qualified: Reason) -> bool:
        """Whether ``mpid`` is operational as ``role`` on the date; if not, says why (DOMAIN.md §8: absent from the
        register, or registered in other roles only, is simply not qualified)."""
        if not mpid:
            details.append(DETAIL_NO_SUPPLIER)  # only the Supplier is checked without being named
        elif mpid not in roles_held:
            reasons.add(Reason.UNKNOWN_PARTICIPANT)
            details.append(DETAIL_NOT_ON_REGISTER.format(mpid))
        elif (mpid, role) not in histories:
            details.append(detail_other_roles(mpid, role, roles_held[mpid]))
        elif status_on(histories[(mpid, role)], event.date).operational:
            return True
        reasons.add(not_qualified)
        return False

    valid_mpan = mpan_is_valid(event.mpan)
    if not valid_mpan:
        reasons.add(Reason.INVALID_MPAN)
    mhhs = event.settlement == Settlement.MHHS
    data_service_role = DATA_SERVICE_ROLE[Segment(event.segment)]
    m14 = calendar.all_suppliers_qualified
    before_m14 = m14 is None or event.date < m14

    if event.kind == EventKind.MIGRATE:
        start = calendar.migration_start.get(Segment(event.segment))
        if start is None or event.date < start:
            reasons.add(Reason.BEFORE_MIGRATION_WINDOW)
        if calendar.migration_end is not None and event.date > calendar.migration_end:
            reasons.add(Reason.AFTER_MIGRATION_WINDOW)
        check(event.supplier, Role.SUPPLIER, Reason.SUPPLIER_NOT_QUALIFIED)
        if valid_mpan and event.mpan:
            distributor = event.mpan[:2]
            ldso = ldso_by_distributor.get(distributor)
            if ldso is None or (ldso, Role.LDSO) not in histories:
                reasons.add(Reason.LDSO_NOT_QUALIFIED)
                details.append(DETAIL_NO_LDSO.format(distributor))
            else:
                check(ldso, Role.LDSO, Reason.LDSO_NOT_QUALIFIED)
        if event.mem:
            check(event.mem, Role.MEM, Reason.MEM_NOT_QUALIFIED)
        if event.data_service:
            check(event.data_service, data_service_role, Reason.DATA_SERVICE_NOT_QUALIFIED)
    elif event.kind == EventKind.APPOINT:
        if mhhs:
            if event.mem:
                check(event.mem, Role.MEM, Reason.MEM_NOT_QUALIFIED)
            if event.data_service:
                check(event.data_service, data_service_role, Reason.DATA_SERVICE_NOT_QUALIFIED)
    elif event.kind == EventKind.REGISTER:
        if event.supplier and before_m14 and not mhhs:
            pass  # before M14 any Supplier may register a LEGACY point, on the register or not
        elif not check(event.supplier, Role.SUPPLIER, Reason.SUPPLIER_NOT_QUALIFIED) and event.supplier and before_m14:
            reasons.add(Reason.REVERSE_MIGRATION)  # an MHHS point goes back to the legacy arrangements
    else:
        raise ValueError(f"Unknown event kind {event.kind!r}.")
    frozen = frozenset(reasons)
    return Decision(
        ref=event.ref,
        outcome=outcome_for(frozen),
        reasons=frozen,
        gsp_group=gsp_group_of(event.mpan[:2]) if valid_mpan and event.mpan else None,
        details=tuple(details),
    )
